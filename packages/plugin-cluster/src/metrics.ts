import { Counter, Gauge, type Registry } from 'prom-client';

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
    const registers = [registry];
    this.bucketsOwned = new Gauge({
      name: 'ispmonitor_cluster_buckets_owned',
      help: 'Buckets of devices this replica polls.',
      registers,
    });
    this.handovers = new Counter({
      name: 'ispmonitor_cluster_handovers_total',
      help: 'Buckets this replica acquired, released (rebalance or stop) or lost (connection gone).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['acquired', 'released', 'lost'] as const) this.handovers.inc({ reason }, 0);
    new Gauge({
      name: 'ispmonitor_cluster_heartbeat_age_seconds',
      help: 'Seconds since the last successful heartbeat round (+Inf before the first).',
      registers,
      collect() {
        this.set(heartbeatAgeSeconds());
      },
    });
    this.replicas = new Gauge({
      name: 'ispmonitor_cluster_replicas',
      help: 'Live poller replicas in the cluster, as seen by this replica.',
      registers,
    });
    this.leader = new Gauge({
      name: 'ispmonitor_cluster_leader',
      help: '1 when this replica is the leader (runs alert evaluation and notifications), else 0.',
      registers,
    });
  }
}
