/** Stable error codes. Each names what went wrong; the message says where. */
export const ErrorCodes = {
  /** Two plugins with one name. */
  PLUGIN_DUPLICATE: 'ISPM_PLUGIN_DUPLICATE',
  /** A plugin's `requires` is not in the list. */
  PLUGIN_MISSING_REQUIREMENT: 'ISPM_PLUGIN_MISSING_REQUIREMENT',
  /** A plugin needs another core version. */
  PLUGIN_VERSION_MISMATCH: 'ISPM_PLUGIN_VERSION_MISMATCH',
  /** Options fail the plugin's schema. */
  PLUGIN_INVALID_OPTIONS: 'ISPM_PLUGIN_INVALID_OPTIONS',
  /** A plugin's setup threw. */
  PLUGIN_SETUP_FAILED: 'ISPM_PLUGIN_SETUP_FAILED',
  /** Something in the plugin list is not a plugin. */
  PLUGIN_INVALID: 'ISPM_PLUGIN_INVALID',
  /** A device definition is invalid. */
  DEVICE_INVALID: 'ISPM_DEVICE_INVALID',
  /** A device id is used twice. */
  DEVICE_DUPLICATE: 'ISPM_DEVICE_DUPLICATE',
  /** No device with that id. */
  DEVICE_NOT_FOUND: 'ISPM_DEVICE_NOT_FOUND',
  /** A config device cannot be changed through the API. */
  DEVICE_READ_ONLY: 'ISPM_DEVICE_READ_ONLY',
  /** No driver for a device's `driver`. */
  DRIVER_UNKNOWN: 'ISPM_DRIVER_UNKNOWN',
  /** Two drivers for one kind. */
  DRIVER_DUPLICATE: 'ISPM_DRIVER_DUPLICATE',
  /** A poll took longer than the poll timeout. */
  POLL_TIMEOUT: 'ISPM_POLL_TIMEOUT',
  /** A driver returned nothing usable. */
  POLL_FAILED: 'ISPM_POLL_FAILED',
  /** A poll was cut off because the monitor stopped. */
  POLL_ABORTED: 'ISPM_POLL_ABORTED',
  /** A poll was skipped: the monitor's own event loop was blocked while it ran, so it says nothing about the device. */
  MONITOR_OVERLOADED: 'ISPM_MONITOR_OVERLOADED',
  /** The config file or an override is invalid. */
  CONFIG_INVALID: 'ISPM_CONFIG_INVALID',
  /** A secret reference cannot be resolved. */
  CONFIG_SECRET: 'ISPM_CONFIG_SECRET',
  /** Nothing provides a token that was resolved. */
  TOKEN_NOT_PROVIDED: 'ISPM_TOKEN_NOT_PROVIDED',
  /** A lifecycle call in the wrong state (start after stop). */
  MONITOR_STATE: 'ISPM_MONITOR_STATE',
} as const;

/** One of the codes in `ErrorCodes`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Every error core raises: a stable `code`, the `plugin` (or `core`) it concerns, and a `cause`. */
export class MonitorError extends Error {
  override readonly name = 'MonitorError';
  /** Stable code, e.g. `ISPM_PLUGIN_DUPLICATE`. */
  readonly code: string;
  /** The plugin the error concerns, or `core`. */
  readonly plugin: string;

  /** Prefer `monitorError()`. */
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
