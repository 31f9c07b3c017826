/** The remote-write plugin's errors, in the shape every package uses (see `ErrorSpec` in core). */
import { codesOf, defineErrors } from '@ispmonitor/core';

/** Every error the remote-write plugin raises. */
export const RemoteWriteErrors = defineErrors({
  /** Options that cannot work together (e.g. reads asked of a target without a read URL). */
  CONFIG: ['ISPM_REMOTE_WRITE_CONFIG', 400, 'The remote-write configuration is invalid.'],
});

/** The codes of `RemoteWriteErrors`, by the same names. */
export const RemoteWriteErrorCodes = codesOf(RemoteWriteErrors);

/** @deprecated Use `RemoteWriteErrors.CONFIG.code` (the same string). */
export const REMOTE_WRITE_CONFIG: string = RemoteWriteErrors.CONFIG.code;
