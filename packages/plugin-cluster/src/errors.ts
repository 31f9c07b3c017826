/** The cluster plugin's errors, in the shape every package uses (see `ErrorSpec` in core). */
import { codesOf, type ErrorTable } from '@ispmonitor/core';

/** Every error the cluster plugin raises. */
export const ClusterErrors = {
  /** Another live replica holds this replica's name: two processes would poll as one. */
  REPLICA_NAME_IN_USE: {
    code: 'ISPM_CLUSTER_REPLICA_NAME_IN_USE',
    message: "Another live replica uses this replica's name.",
    status: 409,
  },
} as const satisfies ErrorTable;

/** The codes of `ClusterErrors`, by the same names. */
export const ClusterErrorCodes = codesOf(ClusterErrors);
