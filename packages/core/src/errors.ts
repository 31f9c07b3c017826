/** Stable error codes. Each names what went wrong; the message says where. */
export const ErrorCodes = {
  PLUGIN_DUPLICATE: 'ISPM_PLUGIN_DUPLICATE',
  PLUGIN_MISSING_REQUIREMENT: 'ISPM_PLUGIN_MISSING_REQUIREMENT',
  PLUGIN_VERSION_MISMATCH: 'ISPM_PLUGIN_VERSION_MISMATCH',
  PLUGIN_INVALID_OPTIONS: 'ISPM_PLUGIN_INVALID_OPTIONS',
  PLUGIN_SETUP_FAILED: 'ISPM_PLUGIN_SETUP_FAILED',
  PLUGIN_INVALID: 'ISPM_PLUGIN_INVALID',
  DEVICE_INVALID: 'ISPM_DEVICE_INVALID',
  DEVICE_DUPLICATE: 'ISPM_DEVICE_DUPLICATE',
  DEVICE_NOT_FOUND: 'ISPM_DEVICE_NOT_FOUND',
  DEVICE_READ_ONLY: 'ISPM_DEVICE_READ_ONLY',
  DRIVER_UNKNOWN: 'ISPM_DRIVER_UNKNOWN',
  DRIVER_DUPLICATE: 'ISPM_DRIVER_DUPLICATE',
  POLL_TIMEOUT: 'ISPM_POLL_TIMEOUT',
  POLL_FAILED: 'ISPM_POLL_FAILED',
  POLL_ABORTED: 'ISPM_POLL_ABORTED',
  CONFIG_INVALID: 'ISPM_CONFIG_INVALID',
  CONFIG_SECRET: 'ISPM_CONFIG_SECRET',
  TOKEN_NOT_PROVIDED: 'ISPM_TOKEN_NOT_PROVIDED',
  MONITOR_STATE: 'ISPM_MONITOR_STATE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Every error core raises: a stable `code`, the `plugin` (or `core`) it concerns, and a `cause`. */
export class MonitorError extends Error {
  override readonly name = 'MonitorError';
  readonly code: string;
  readonly plugin: string;

  constructor(code: string, message: string, options: { plugin?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.plugin = options.plugin ?? 'core';
  }
}

/** Creates a MonitorError; the one place errors are made. */
export function monitorError(
  code: string,
  message: string,
  options: { plugin?: string; cause?: unknown } = {},
): MonitorError {
  return new MonitorError(code, message, options);
}

/** A short, safe description of anything thrown. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof MonitorError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const raw = (err as unknown as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : err.name;
    return { code, message: err.message };
  }
  return { code: 'UNKNOWN', message: String(err) };
}
