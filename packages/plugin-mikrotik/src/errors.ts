/**
 * Error codes of the MikroTik driver and the one place errors are made. Messages are written
 * here, never copied from a peer that might echo what we sent (a password).
 */
import { codesOf, defineErrors, errorClass } from '@ispmonitor/core';

/**
 * Every error the MikroTik driver reports, in the shape every package uses (see `ErrorSpec` in
 * core). The codes are stable: they are what `result.error.code` and `partErrors[].code` carry.
 * The status hints: the router (a peer) failed (502) or did not answer (504), we hold back (503),
 * or our settings for it are wrong (400).
 */
export const MikrotikErrors = defineErrors({
  /** TCP connect failed: refused, no route, DNS. */
  UNREACHABLE: ['MIKROTIK_UNREACHABLE', 502, 'The router cannot be reached.'],
  /** No answer within the timeout (connect, login or a command). */
  TIMEOUT: ['MIKROTIK_TIMEOUT', 504, 'The router did not answer in time.'],
  /** The router refused the user name or password. */
  AUTH: ['MIKROTIK_AUTH_FAILED', 502, 'The router refused the login.'],
  /** The router's certificate failed verification or did not match the pinned fingerprint. */
  TLS: ['MIKROTIK_TLS_FAILED', 502, "The router's certificate is not trusted."],
  /** The connection closed (or was dropped) before the reply was complete. */
  CLOSED: ['MIKROTIK_CONNECTION_CLOSED', 502, 'The connection closed too early.'],
  /** The router sent `!fatal` and closed the connection. */
  FATAL: ['MIKROTIK_FATAL', 502, 'The router ended the session.'],
  /** The router sent bytes that are not the API protocol. */
  PROTOCOL: ['MIKROTIK_PROTOCOL_ERROR', 502, 'The router broke the API protocol.'],
  /** A command answered `!trap`. */
  TRAP: ['MIKROTIK_TRAP', 502, 'A command failed on the router.'],
  /** The menu does not exist on this router (`no such command`). */
  NO_SUCH_COMMAND: ['MIKROTIK_NO_SUCH_COMMAND', 502, 'The router lacks this menu.'],
  /** A table had more rows than the configured bound. */
  TOO_LARGE: ['MIKROTIK_TABLE_TOO_LARGE', 502, 'A table had more rows than allowed.'],
  /** Rows of a table were not valid (missing key, junk text, absurd length): skipped, the rest kept. */
  BAD_ROWS: ['MIKROTIK_BAD_ROWS', 502, 'Some rows of a table were invalid.'],
  /** Too many open connections: the configured cap was reached. */
  CONNECTION_LIMIT: ['MIKROTIK_CONNECTION_LIMIT', 503, 'Too many open router connections.'],
  /** Waiting before reconnecting after a failure. */
  BACKOFF: ['MIKROTIK_BACKOFF', 503, 'Waiting before reconnecting.'],
  /** The poll was aborted (poll timeout or monitor stopping). */
  ABORTED: ['MIKROTIK_ABORTED', 503, 'The poll was aborted.'],
  /** Settings that cannot work (unreadable CA file, …). */
  CONFIG: ['MIKROTIK_CONFIG_INVALID', 400, 'The MikroTik settings are invalid.'],
  INTERNAL: ['MIKROTIK_INTERNAL', 500, 'The request failed.'],
});

/** Stable codes in `result.error.code` and `partErrors[].code`. */
export const MikrotikErrorCodes = codesOf(MikrotikErrors);

/** An error of the driver: a stable code and a message safe to show. */
export const MikrotikError = errorClass('MikrotikError', 'mikrotik', MikrotikErrors);
/** An error of the driver (see `MikrotikError`). */
export type MikrotikError = InstanceType<typeof MikrotikError>;

/** Creates a MikrotikError; the one place they are made. */
export function mikrotikError(code: string, message: string, cause?: unknown): MikrotikError {
  return new MikrotikError(code, message, cause === undefined ? undefined : { cause });
}

const NET_UNREACHABLE = /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EADDRNOTAVAIL|EINVAL)$/;
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL)/;

/** Turns a socket or TLS error into a MikrotikError with our own message. */
export function fromSocketError(err: unknown, target: string): MikrotikError {
  if (err instanceof MikrotikError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  if (NET_UNREACHABLE.test(code)) {
    return mikrotikError(MikrotikErrorCodes.UNREACHABLE, `cannot connect to ${target}: ${code}`);
  }
  if (TLS_CODES.test(code)) {
    return mikrotikError(
      MikrotikErrorCodes.TLS,
      `TLS with ${target} failed (${code}): the router's certificate is not trusted by the configured CA ` +
        'or does not match the pinned fingerprint',
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return mikrotikError(MikrotikErrorCodes.CLOSED, `connection to ${target} was reset`);
  }
  return mikrotikError(
    MikrotikErrorCodes.INTERNAL,
    `connection to ${target} failed: ${code || 'error'}`,
    err,
  );
}
