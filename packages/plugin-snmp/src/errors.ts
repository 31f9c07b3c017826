/**
 * Error codes of the SNMP driver and the one place net-snmp's errors are turned into them.
 * Messages are written here, never copied from net-snmp, because some of its messages quote
 * the community string.
 */
import { codesOf, defineErrors, errorClass } from '@ispmonitor/core';
import snmp from 'net-snmp';

/**
 * Every error the SNMP driver reports, in the shape every package uses (see `ErrorSpec` in
 * core). The codes are stable: they are what `result.error.code` and `partErrors[].code` carry.
 * The status hints say what an API reporting a failed poll should answer: the device (a peer)
 * failed (502), did not answer (504), or our settings for it are wrong (400).
 */
export const SnmpErrors = defineErrors({
  TIMEOUT: ['SNMP_TIMEOUT', 504, 'The device did not answer in time.'],
  AUTH: ['SNMP_AUTH_FAILED', 502, 'SNMPv3 authentication failed.'],
  DECRYPT: ['SNMP_DECRYPT_FAILED', 502, "The device's answer could not be decrypted."],
  BAD_RESPONSE: ['SNMP_BAD_RESPONSE', 502, 'The device sent an invalid response.'],
  ERROR_STATUS: ['SNMP_ERROR_STATUS', 502, 'The device answered with an error status.'],
  TOO_BIG: ['SNMP_TOO_BIG', 502, 'The device answered tooBig.'],
  UNREACHABLE: ['SNMP_UNREACHABLE', 502, 'The device cannot be reached.'],
  ABORTED: ['SNMP_ABORTED', 503, 'The poll was aborted.'],
  CONFIG: ['SNMP_CONFIG_INVALID', 400, 'The SNMP settings are invalid.'],
  NOT_INCREASING: ['SNMP_OID_NOT_INCREASING', 502, 'A walk returned OIDs out of order.'],
  TABLE_TOO_LONG: ['SNMP_TABLE_TOO_LONG', 502, 'A table had more rows than allowed.'],
  REBOOTED: ['SNMP_DEVICE_REBOOTED', 502, 'The device rebooted.'],
  /** Rows of a table that were not valid (a malformed index, an address of the wrong size): skipped, the rest kept. */
  BAD_ROWS: ['SNMP_BAD_ROWS', 502, 'Some rows of a table were invalid.'],
  INTERNAL: ['SNMP_INTERNAL', 500, 'The request failed.'],
});

/** Stable codes in `result.error.code` and `partErrors[].code`. */
export const SnmpErrorCodes = codesOf(SnmpErrors);

/** An error the driver raises: a stable code and a message safe to show (no secrets). */
export const SnmpError = errorClass('SnmpError', 'snmp', SnmpErrors);
/** An error of the driver (see `SnmpError`). */
export type SnmpError = InstanceType<typeof SnmpError>;

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
