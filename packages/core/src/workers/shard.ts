/**
 * Which worker thread polls a device: the same hash the cluster plugin puts devices into buckets
 * with (core's `stableHash` with the cluster's seed), modulo the worker count. Stable: a device
 * stays on its worker for as long as the worker count stays the same, so the driver's per-device
 * memory (learned bulk sizes, interface caches, SNMPv3 engine state) stays where its polls run.
 * When the count changes at a restart, only the devices whose `hash % n` changed move.
 */
import { stableHash } from '../hash.js';

/** The cluster plugin's bucket seed (packages/plugin-cluster/src/hash.ts); never changes. */
const CLUSTER_SEED = 0x9747b28c;

/** The worker (0 … workers-1) that owns a device. */
export function workerOf(deviceId: string, workers: number): number {
  return workers <= 1 ? 0 : stableHash(deviceId, CLUSTER_SEED) % workers;
}
