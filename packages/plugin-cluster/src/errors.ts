/** The cluster plugin's errors, in the shape every package uses (see `ErrorSpec` in core). */
import { codesOf, defineErrors } from '@ispmonitor/core';

/** Every error the cluster plugin raises. */
export const ClusterErrors = defineErrors({
  /** Another live replica holds this replica's name: two processes would poll as one. */
  REPLICA_NAME_IN_USE: [
    'ISPM_CLUSTER_REPLICA_NAME_IN_USE',
    409,
    "Another live replica uses this replica's name.",
  ],
});

/** The codes of `ClusterErrors`, by the same names. */
export const ClusterErrorCodes = codesOf(ClusterErrors);
