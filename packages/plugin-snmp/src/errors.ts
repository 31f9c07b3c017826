/**
 * Error codes of the SNMP driver and the one place net-snmp's errors are turned into them.
 * Messages are written here, never copied from net-snmp, because some of its messages quote
 * the community string.
 */
import { codesOf, type ErrorTable, MonitorError } from '@ispmonitor/core';
import snmp from 'net-snmp';

/**
 * Every error the SNMP driver reports, in the shape every package uses (see `ErrorSpec` in
 * core). The codes are stable: they are what `result.error.code` and `partErrors[].code` carry.
 * The status hints say what an API reporting a failed poll should answer: the device (a peer)
 * failed (502), did not answer (504), or our settings for it are wrong (400).
 */
export const SnmpErrors = {
  TIMEOUT: { code: 'SNMP_TIMEOUT', message: 'The device did not answer in time.', status: 504 },
  AUTH: { code: 'SNMP_AUTH_FAILED', message: 'SNMPv3 authentication failed.', status: 502 },
  DECRYPT: {
    code: 'SNMP_DECRYPT_FAILED',
    message: "The device's answer could not be decrypted.",
    status: 502,
  },
  BAD_RESPONSE: { code: 'SNMP_BAD_RESPONSE', message: 'The device sent an invalid response.', status: 502 },
  ERROR_STATUS: {
    code: 'SNMP_ERROR_STATUS',
    message: 'The device answered with an error status.',
    status: 502,
  },
  TOO_BIG: { code: 'SNMP_TOO_BIG', message: 'The device answered tooBig.', status: 502 },
  UNREACHABLE: { code: 'SNMP_UNREACHABLE', message: 'The device cannot be reached.', status: 502 },
  ABORTED: { code: 'SNMP_ABORTED', message: 'The poll was aborted.', status: 503 },
  CONFIG: { code: 'SNMP_CONFIG_INVALID', message: 'The SNMP settings are invalid.', status: 400 },
  NOT_INCREASING: {
    code: 'SNMP_OID_NOT_INCREASING',
    message: 'A walk returned OIDs out of order.',
    status: 502,
  },
  TABLE_TOO_LONG: {
    code: 'SNMP_TABLE_TOO_LONG',
    message: 'A table had more rows than allowed.',
    status: 502,
  },
  REBOOTED: { code: 'SNMP_DEVICE_REBOOTED', message: 'The device rebooted.', status: 502 },
  /** Rows of a table that were not valid (a malformed index, an address of the wrong size): skipped, the rest kept. */
  BAD_ROWS: { code: 'SNMP_BAD_ROWS', message: 'Some rows of a table were invalid.', status: 502 },
  INTERNAL: { code: 'SNMP_INTERNAL', message: 'The request failed.', status: 500 },
} as const satisfies ErrorTable;

/** Stable codes in `result.error.code` and `partErrors[].code`. */
export const SnmpErrorCodes = codesOf(SnmpErrors);

const STATUS = new Map<string, number>(Object.values(SnmpErrors).map((e) => [e.code, e.status]));

/** An error the driver raises: a stable code and a message safe to show (no secrets). */
export class SnmpError extends MonitorError {
  override readonly name: string = 'SnmpError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { plugin: 'snmp', status: STATUS.get(code) ?? 500, cause: options?.cause });
  }
}

/** Whether an error means the device rejected our request as too big for one response. */
export function isTooBig(err: unknown): boolean {
  return err instanceof SnmpError && err.code === SnmpErrorCodes.TOO_BIG;
}

const RIC = snmp.ResponseInvalidCode;

/** Turns whatever net-snmp (or the socket) reported into an SnmpError with our own message. */
export function toSnmpError(
  err: unknown,
  where: { target: string; timeoutMs: number; tries: number },
): SnmpError {
  if (err instanceof SnmpError) return err;
  const e = err as { name?: string; code?: unknown; status?: number; message?: string } | undefined;
  const name = e?.name;
  if (name === 'RequestTimedOutError') {
    return new SnmpError(
      SnmpErrorCodes.TIMEOUT,
      `no answer from ${where.target} within ${where.timeoutMs} ms (${where.tries} tries): host down, ` +
        'wrong community/credentials, or an ACL dropping us',
    );
  }
  if (name === 'RequestFailedError') {
    const status = typeof e?.status === 'number' ? e.status : undefined;
    if (status === snmp.ErrorStatus.TooBig) {
      return new SnmpError(SnmpErrorCodes.TOO_BIG, `${where.target} answered tooBig`);
    }
    const label = status !== undefined ? (snmp.ErrorStatus[status] ?? String(status)) : 'error';
    return new SnmpError(SnmpErrorCodes.ERROR_STATUS, `${where.target} answered error-status ${label}`);
  }
  if (name === 'ResponseInvalidError') {
    const code = e?.code;
    if (code === RIC.EAuthFailure) {
      // The message is net-snmp's usmStats text ("Unknown User Name", "Wrong Digest ...") — no secret in it.
      const reason = typeof e?.message === 'string' ? e.message.slice(0, 120) : 'authentication failed';
      return new SnmpError(
        SnmpErrorCodes.AUTH,
        `SNMPv3 authentication with ${where.target} failed: ${reason}`,
      );
    }
    if (code === RIC.ECouldNotDecrypt) {
      return new SnmpError(
        SnmpErrorCodes.DECRYPT,
        `could not decrypt the answer of ${where.target}: wrong privKey or privProtocol`,
      );
    }
    const label = typeof code === 'number' ? (RIC[code] ?? String(code)) : 'invalid';
    return new SnmpError(SnmpErrorCodes.BAD_RESPONSE, `${where.target} sent an invalid response (${label})`);
  }
  const sysCode = typeof e?.code === 'string' ? e.code : undefined;
  if (
    sysCode &&
    /^(ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNREFUSED|EADDRNOTAVAIL|EINVAL)$/.test(sysCode)
  ) {
    return new SnmpError(SnmpErrorCodes.UNREACHABLE, `cannot send to ${where.target}: ${sysCode}`);
  }
  if (
    name === 'ProcessingError' ||
    name === 'RangeError' ||
    /BER|buffer|Buffer|length/i.test(e?.message ?? '')
  ) {
    return new SnmpError(SnmpErrorCodes.BAD_RESPONSE, `${where.target} sent a message that does not decode`);
  }
  return new SnmpError(SnmpErrorCodes.INTERNAL, `request to ${where.target} failed: ${name ?? 'error'}`, {
    cause: err,
  });
}
