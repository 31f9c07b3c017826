import { definePlugin, tokens } from '@ispmonitor/core';
import { Coordinator } from './coordinator.js';
import { bucketOf } from './hash.js';
import { ClusterMetrics } from './metrics.js';
import { type ClusterOptions, optionsSchema } from './options.js';
import { type ClusterStatus, clusterStatus } from './status.js';
import { VERSION } from './version.js';

/**
 * Scale-out: poller replicas share the devices through PostgreSQL. Provides `tokens.Ownership`
 * (core polls only the devices of this replica's buckets), `tokens.Leadership` (one replica runs
 * once-per-cluster work) and `clusterStatus` (who polls what, for the API and diagnostics).
 *
 * ```ts
 * createMonitor({ plugins: [snmp(), postgres({ url }), cluster({ url })], … })
 * ```
 */
export const cluster = definePlugin({
  name: 'cluster',
  version: VERSION,
  optionsSchema,
  setup(ctx, options: ClusterOptions) {
    const coordinator: Coordinator = new Coordinator(options, {
      clock: ctx.clock,
      logger: ctx.logger,
      metrics: new ClusterMetrics(ctx.metrics, (): number => coordinator.heartbeatAgeMs() / 1000),
      onOrphansAcquired(buckets) {
        // Their previous owner is gone, perhaps mid-interval: poll them now, not at the next slot.
        for (const state of ctx.devices.list()) {
          if (buckets.has(bucketOf(state.device.id, options.buckets))) ctx.devices.pollNow(state.device.id);
        }
      },
    });

    const status: ClusterStatus = {
      replica: options.replica,
      buckets: options.buckets,
      bucketOf: (id) => bucketOf(id, options.buckets),
      owns: (id) => coordinator.owns(id),
      isLeader: () => coordinator.isLeader(),
      ownedBuckets: () => coordinator.owned(),
      snapshot: () => coordinator.snapshot(),
      ownerOf: (id) => coordinator.snapshot().owners[bucketOf(id, options.buckets)] ?? null,
      devicesByReplica(ids) {
        const owners = coordinator.snapshot().owners;
        const out = new Map<string | null, string[]>();
        for (const id of ids) {
          const owner = owners[bucketOf(id, options.buckets)] ?? null;
          const list = out.get(owner);
          if (list) list.push(id);
          else out.set(owner, [id]);
        }
        return out;
      },
    };

    ctx.provide(tokens.Ownership, { replica: options.replica, owns: (id: string) => coordinator.owns(id) });
    ctx.provide(tokens.Leadership, { isLeader: () => coordinator.isLeader() });
    ctx.provide(clusterStatus, status);

    ctx.health({
      name: 'session',
      check() {
        const snap = coordinator.snapshot();
        const details = {
          replica: options.replica,
          bucketsOwned: coordinator.owned().length,
          share: snap.share,
          replicas: snap.replicas.length,
          leader: snap.leader,
          heartbeatAgeMs: Number.isFinite(coordinator.heartbeatAgeMs()) ? coordinator.heartbeatAgeMs() : null,
        };
        if (coordinator.healthy) return { status: 'pass', details };
        return {
          status: 'fail',
          message: `no live database session (${coordinator.lostReason}): this replica polls nothing`,
          details,
        };
      },
    });

    ctx.onStart(() => coordinator.start());
    ctx.onStop(() => coordinator.stop());
  },
});
