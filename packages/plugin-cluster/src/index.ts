/**
 * `@ispmonitor/plugin-cluster`: poller replicas share the network through PostgreSQL advisory
 * locks, with failover, leadership for once-per-cluster work, and a status API.
 */

export { ClusterErrorCodes, ClusterErrors } from './errors.js';
export { bucketOf, hash32 } from './hash.js';
export { type ClusterOptions, type ClusterOptionsInput, MAX_BUCKETS, optionsSchema } from './options.js';
export { type Plan, type PlanInput, plan } from './planner.js';
export { cluster } from './plugin.js';
export { type ClusterReplica, type ClusterSnapshot, type ClusterStatus, clusterStatus } from './status.js';
