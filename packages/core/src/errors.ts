/**
 * The error model every package shares. Each package declares its codes in its own
 * `src/errors.ts` as a table of {@link ErrorSpec} (`code`, `message`, HTTP `status` hint) and
 * raises them as a {@link MonitorError} (or a subclass), so that any caller — the server's API in
 * particular — can answer with the right status without knowing the package.
 */

/** One error a package can raise. Every package's `errors.ts` is a table of these. */
export interface ErrorSpec {
  /** Stable code, e.g. `ISPM_DEVICE_NOT_FOUND`. Never changes once released. */
  readonly code: string;
  /** What it means, in one sentence (the message of an error made without one). */
  readonly message: string;
  /**
   * The HTTP status an API answering with this error should use: 4xx when the request is at
   * fault, 502/504 for a peer (device, database), 503 for "not ready", 500 for a fault of ours.
   */
  readonly status: number;
}

/** A table of error specs by short name (`NOT_FOUND: { code, message, status }`). */
export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

/** The codes of a table, by the same short names. */
export type CodesOf<T extends ErrorTable> = { readonly [K in keyof T]: T[K]['code'] };

/** The `code` of each entry of an error table, by the same short names. */
export function codesOf<T extends ErrorTable>(table: T): CodesOf<T> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(table)) out[key] = spec.code;
  return out as CodesOf<T>;
}

/** Core's errors. */
export const CoreErrors = {
  PLUGIN_DUPLICATE: { code: 'ISPM_PLUGIN_DUPLICATE', message: 'Two plugins have one name.', status: 500 },
  PLUGIN_MISSING_REQUIREMENT: {
    code: 'ISPM_PLUGIN_MISSING_REQUIREMENT',
    message: "A plugin's `requires` is not in the plugin list.",
    status: 500,
  },
  PLUGIN_VERSION_MISMATCH: {
    code: 'ISPM_PLUGIN_VERSION_MISMATCH',
    message: 'A plugin was built for another version of core.',
    status: 500,
  },
  PLUGIN_INVALID_OPTIONS: {
    code: 'ISPM_PLUGIN_INVALID_OPTIONS',
    message: "A plugin's options fail its schema.",
    status: 400,
  },
  PLUGIN_SETUP_FAILED: { code: 'ISPM_PLUGIN_SETUP_FAILED', message: "A plugin's setup threw.", status: 500 },
  PLUGIN_INVALID: {
    code: 'ISPM_PLUGIN_INVALID',
    message: 'Something in the plugin list is not a plugin.',
    status: 500,
  },
  DEVICE_INVALID: { code: 'ISPM_DEVICE_INVALID', message: 'A device definition is invalid.', status: 400 },
  DEVICE_DUPLICATE: { code: 'ISPM_DEVICE_DUPLICATE', message: 'A device id is used twice.', status: 409 },
  DEVICE_NOT_FOUND: { code: 'ISPM_DEVICE_NOT_FOUND', message: 'No device has that id.', status: 404 },
  // Config devices belong to the config file: the request conflicts with where they are managed.
  DEVICE_READ_ONLY: {
    code: 'ISPM_DEVICE_READ_ONLY',
    message: 'A device from the config file cannot be changed through the API.',
    status: 409,
  },
  DRIVER_UNKNOWN: {
    code: 'ISPM_DRIVER_UNKNOWN',
    message: "No driver serves a device's `driver`.",
    status: 400,
  },
  DRIVER_DUPLICATE: { code: 'ISPM_DRIVER_DUPLICATE', message: 'Two drivers serve one kind.', status: 500 },
  POLL_TIMEOUT: {
    code: 'ISPM_POLL_TIMEOUT',
    message: 'A poll took longer than the poll timeout.',
    status: 504,
  },
  POLL_FAILED: { code: 'ISPM_POLL_FAILED', message: 'A driver returned nothing usable.', status: 502 },
  POLL_ABORTED: {
    code: 'ISPM_POLL_ABORTED',
    message: 'A poll was cut off: the monitor stopped.',
    status: 503,
  },
  MONITOR_OVERLOADED: {
    code: 'ISPM_MONITOR_OVERLOADED',
    message:
      "A poll was skipped: the monitor's own event loop was blocked while it ran, so it says nothing about the device.",
    status: 503,
  },
  CONFIG_INVALID: {
    code: 'ISPM_CONFIG_INVALID',
    message: 'The config file or an override is invalid.',
    status: 400,
  },
  CONFIG_SECRET: {
    code: 'ISPM_CONFIG_SECRET',
    message: 'A secret reference cannot be resolved.',
    status: 400,
  },
  TOKEN_NOT_PROVIDED: {
    code: 'ISPM_TOKEN_NOT_PROVIDED',
    message: 'No plugin provides what was asked for.',
    status: 501,
  },
  MONITOR_STATE: {
    code: 'ISPM_MONITOR_STATE',
    message: 'A lifecycle call in the wrong state (start after stop).',
    status: 503,
  },
} as const satisfies ErrorTable;

/** Core's stable error codes, by short name (`ErrorCodes.DEVICE_NOT_FOUND`). */
export const ErrorCodes = codesOf(CoreErrors);

/** One of the codes in `ErrorCodes`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const CORE_STATUS = new Map<string, number>(Object.values(CoreErrors).map((e) => [e.code, e.status]));

/** Options of a MonitorError. */
export interface MonitorErrorOptions {
  /** The plugin the error concerns. Default `core`. */
  plugin?: string;
  cause?: unknown;
  /** HTTP status hint. Default: the spec's, core's for core's codes, else 500. */
  status?: number;
}

/**
 * Every error a package raises: a stable `code`, the `plugin` (or `core`) it concerns, an HTTP
 * `status` hint and a `cause`. Packages may subclass it (e.g. a driver's own class).
 */
export class MonitorError extends Error {
  override readonly name: string = 'MonitorError';
  /** Stable code, e.g. `ISPM_PLUGIN_DUPLICATE`. */
  readonly code: string;
  /** The plugin the error concerns, or `core`. */
  readonly plugin: string;
  /** The HTTP status an API answering with this error should use (see ErrorSpec). */
  readonly status: number;

  /** Prefer `monitorError()`. */
  constructor(code: string, message: string, options: MonitorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.plugin = options.plugin ?? 'core';
    this.status = options.status ?? CORE_STATUS.get(code) ?? 500;
  }
}

/**
 * Creates a MonitorError; the one place errors are made. Give a spec from a package's error
 * table (its status hint comes along; its message is used when none is given), or a code.
 */
export function monitorError(
  spec: ErrorSpec | string,
  message?: string,
  options: MonitorErrorOptions = {},
): MonitorError {
  if (typeof spec === 'string') return new MonitorError(spec, message ?? spec, options);
  return new MonitorError(spec.code, message ?? spec.message, { status: spec.status, ...options });
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
