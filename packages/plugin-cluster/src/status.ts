import { createToken } from '@ispmonitor/core';

/** One live replica, as the last heartbeat round saw it. */
export interface ClusterReplica {
  /** Replica name. */
  replica: string;
  /** Host it runs on. */
  host: string;
  /** Its process id on that host. */
  pid: number;
  /** When it started, ms since the epoch. */
  startedAt: number;
  /** Its last heartbeat (database time), ms since the epoch. */
  lastHeartbeat: number;
  /** Buckets it holds. */
  buckets: number;
  /** Whether it is the leader. */
  leader: boolean;
  /** Whether it is this process. */
  self: boolean;
}

/** The cluster as this replica saw it at its last successful round. */
export interface ClusterSnapshot {
  /** When the round ended, ms since the epoch; 0 before the first. */
  at: number;
  /** This replica's name. */
  replica: string;
  /** Whether this replica has a database session now. */
  connected: boolean;
  /** Whether this replica is the leader now. */
  leader: boolean;
  /** Number of buckets. */
  buckets: number;
  /** Fair share of the last round. */
  share: number;
  /** Live replicas. */
  replicas: ClusterReplica[];
  /** Holder of each bucket (index = bucket): a replica name, `null` when free. */
  owners: Array<string | null>;
}

/** Read access to the cluster, for the server's API and `diagnostics`. Never touches the database. */
export interface ClusterStatus {
  /** This replica's name. */
  readonly replica: string;
  /** Number of buckets. */
  readonly buckets: number;
  /** The bucket of a device. */
  bucketOf(deviceId: string): number;
  /** Whether this replica polls the device now. */
  owns(deviceId: string): boolean;
  /** Whether this replica is the leader now. */
  isLeader(): boolean;
  /** Buckets this replica holds, ascending. */
  ownedBuckets(): number[];
  /** The cluster as of the last successful round. */
  snapshot(): ClusterSnapshot;
  /** The replica polling a device as of the last round, or null when its bucket is free. */
  ownerOf(deviceId: string): string | null;
  /** Groups device ids by the replica polling them (`null` key: nobody). */
  devicesByReplica(deviceIds: Iterable<string>): Map<string | null, string[]>;
}

/** Token of the cluster's status API: `monitor.resolve(clusterStatus)`. */
export const clusterStatus = createToken<ClusterStatus>('ispmonitor.cluster.Status');
