/**
 * Error codes of the MikroTik driver and the one place errors are made. Messages are written
 * here, never copied from a peer that might echo what we sent (a password).
 */
import { codesOf, type ErrorTable, MonitorError } from '@ispmonitor/core';

/**
 * Every error the MikroTik driver reports, in the shape every package uses (see `ErrorSpec` in
 * core). The codes are stable: they are what `result.error.code` and `partErrors[].code` carry.
 * The status hints: the router (a peer) failed (502) or did not answer (504), we hold back (503),
 * or our settings for it are wrong (400).
 */
export const MikrotikErrors = {
  /** TCP connect failed: refused, no route, DNS. */
  UNREACHABLE: { code: 'MIKROTIK_UNREACHABLE', message: 'The router cannot be reached.', status: 502 },
  /** No answer within the timeout (connect, login or a command). */
  TIMEOUT: { code: 'MIKROTIK_TIMEOUT', message: 'The router did not answer in time.', status: 504 },
  /** The router refused the user name or password. */
  AUTH: { code: 'MIKROTIK_AUTH_FAILED', message: 'The router refused the login.', status: 502 },
  /** The router's certificate failed verification or did not match the pinned fingerprint. */
  TLS: { code: 'MIKROTIK_TLS_FAILED', message: "The router's certificate is not trusted.", status: 502 },
  /** The connection closed (or was dropped) before the reply was complete. */
  CLOSED: { code: 'MIKROTIK_CONNECTION_CLOSED', message: 'The connection closed too early.', status: 502 },
  /** The router sent `!fatal` and closed the connection. */
  FATAL: { code: 'MIKROTIK_FATAL', message: 'The router ended the session.', status: 502 },
  /** The router sent bytes that are not the API protocol. */
  PROTOCOL: { code: 'MIKROTIK_PROTOCOL_ERROR', message: 'The router broke the API protocol.', status: 502 },
  /** A command answered `!trap`. */
  TRAP: { code: 'MIKROTIK_TRAP', message: 'A command failed on the router.', status: 502 },
  /** The menu does not exist on this router (`no such command`). */
  NO_SUCH_COMMAND: { code: 'MIKROTIK_NO_SUCH_COMMAND', message: 'The router lacks this menu.', status: 502 },
  /** A table had more rows than the configured bound. */
  TOO_LARGE: {
    code: 'MIKROTIK_TABLE_TOO_LARGE',
    message: 'A table had more rows than allowed.',
    status: 502,
  },
  /** Rows of a table were not valid (missing key, junk text, absurd length): skipped, the rest kept. */
  BAD_ROWS: { code: 'MIKROTIK_BAD_ROWS', message: 'Some rows of a table were invalid.', status: 502 },
  /** Too many open connections: the configured cap was reached. */
  CONNECTION_LIMIT: {
    code: 'MIKROTIK_CONNECTION_LIMIT',
    message: 'Too many open router connections.',
    status: 503,
  },
  /** Waiting before reconnecting after a failure. */
  BACKOFF: { code: 'MIKROTIK_BACKOFF', message: 'Waiting before reconnecting.', status: 503 },
  /** The poll was aborted (poll timeout or monitor stopping). */
  ABORTED: { code: 'MIKROTIK_ABORTED', message: 'The poll was aborted.', status: 503 },
  /** Settings that cannot work (unreadable CA file, …). */
  CONFIG: { code: 'MIKROTIK_CONFIG_INVALID', message: 'The MikroTik settings are invalid.', status: 400 },
  INTERNAL: { code: 'MIKROTIK_INTERNAL', message: 'The request failed.', status: 500 },
} as const satisfies ErrorTable;

/** Stable codes in `result.error.code` and `partErrors[].code`. */
export const MikrotikErrorCodes = codesOf(MikrotikErrors);

const STATUS = new Map<string, number>(Object.values(MikrotikErrors).map((e) => [e.code, e.status]));

/** An error of the driver: a stable code and a message safe to show. */
export class MikrotikError extends MonitorError {
  override readonly name: string = 'MikrotikError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { plugin: 'mikrotik', status: STATUS.get(code) ?? 500, cause: options?.cause });
  }
}

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
