/**
 * Which bucket a device belongs to. The hash must never change between versions: replicas of
 * different versions running side by side during an upgrade must agree on it.
 */
import { stableHash } from '@ispmonitor/core';

// A seed other than FNV's usual offset basis: core spreads poll phases with the usual basis, and
// a bucket should not tell anything about a device's phase (or the reverse).
const SEED = 0x9747b28c;

/** A stable 32-bit hash of a string: core's `stableHash` with the cluster's own seed. */
export function hash32(text: string): number {
  return stableHash(text, SEED);
}

/** The bucket (0 … buckets-1) of a device id. */
export function bucketOf(deviceId: string, buckets: number): number {
  return hash32(deviceId) % buckets;
}
