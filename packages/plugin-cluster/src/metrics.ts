import { counter, gauge, registerMetrics } from '@ispmonitor/core';
import type { Counter, Gauge, Registry } from 'prom-client';

/** Why a replica's bucket count changed, the `reason` label of the hand-over counter. */
export type HandoverReason = 'acquired' | 'released' | 'lost';

/** The cluster's self-metrics, registered on the monitor's own registry. */
export class ClusterMetrics {
  /** Buckets this replica holds now. */
  readonly bucketsOwned: Gauge;
  /** Buckets that changed hands here. */
  readonly handovers: Counter<'reason'>;
  /** Live replicas seen in the last round. */
  readonly replicas: Gauge;
  /** 1 on the leader, else 0. */
  readonly leader: Gauge;

  constructor(registry: Registry, heartbeatAgeSeconds: () => number) {
    const m = registerMetrics(registry, {
      bucketsOwned: gauge('ispmonitor_cluster_buckets_owned', 'Buckets of devices this replica polls.'),
      handovers: counter(
        'ispmonitor_cluster_handovers_total{reason}',
        'Buckets this replica acquired, released (rebalance or stop) or lost (connection gone).',
      ),
      heartbeatAge: gauge(
        'ispmonitor_cluster_heartbeat_age_seconds',
        'Seconds since the last successful heartbeat round (+Inf before the first).',
        function () {
          this.set(heartbeatAgeSeconds());
        },
      ),
      replicas: gauge(
        'ispmonitor_cluster_replicas',
        'Live poller replicas in the cluster, as seen by this replica.',
      ),
      leader: gauge(
        'ispmonitor_cluster_leader',
        '1 when this replica is the leader (runs alert evaluation and notifications), else 0.',
      ),
    });
    ({
      bucketsOwned: this.bucketsOwned,
      handovers: this.handovers,
      replicas: this.replicas,
      leader: this.leader,
    } = m);
    for (const reason of ['acquired', 'released', 'lost'] as const) this.handovers.inc({ reason }, 0);
  }
}
