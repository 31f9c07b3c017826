/**
 * The error model every package shares. Each package declares its codes in its own
 * `src/errors.ts` with {@link defineErrors} — one row per error: stable code, HTTP status hint,
 * message — and raises them as a {@link MonitorError} (or a subclass), so that any caller — the
 * server's API in particular — can answer with the right status without knowing the package.
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

/** One row of {@link defineErrors}: `[code, status, message]`, as in an {@link ErrorSpec}. */
export type ErrorRow = readonly [code: string, status: number, message: string];

/** The table {@link defineErrors} makes of its rows: each code and status keeps its literal type. */
export type ErrorTableOf<T extends Readonly<Record<string, ErrorRow>>> = {
  readonly [K in keyof T]: { readonly code: T[K][0]; readonly message: string; readonly status: T[K][1] };
};

/**
 * Declares a package's errors, one row each (`NOT_FOUND: ['ISPM_NOT_FOUND', 404, 'Not found.']`),
 * and returns them as an {@link ErrorTable} of specs by the same short names. Every package's
 * `errors.ts` uses it, so all tables have one shape. A code given twice in one table is a bug of
 * ours and is refused at once.
 */
export function defineErrors<const T extends Readonly<Record<string, ErrorRow>>>(rows: T): ErrorTableOf<T> {
  const table: Record<string, ErrorSpec> = {};
  const seen = new Set<string>();
  for (const [key, [code, status, message]] of Object.entries(rows)) {
    if (seen.has(code)) throw new Error(`error code ${code} is declared twice`);
    seen.add(code);
    table[key] = Object.freeze({ code, message, status });
  }
  return Object.freeze(table) as ErrorTableOf<T>;
}

/** The codes of a table, by the same short names. */
export type CodesOf<T extends ErrorTable> = { readonly [K in keyof T]: T[K]['code'] };

/** The `code` of each entry of an error table, by the same short names. */
export function codesOf<T extends ErrorTable>(table: T): CodesOf<T> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(table)) out[key] = spec.code;
  return out as CodesOf<T>;
}

const STATUS_BY_TABLE = new WeakMap<ErrorTable, ReadonlyMap<string, number>>();

/**
 * The status hint a table gives a code, 500 for a code it does not hold: for an error class
 * that is made from a code rather than a spec (a driver's own class).
 */
export function statusIn(table: ErrorTable, code: string): number {
  let byCode = STATUS_BY_TABLE.get(table);
  if (!byCode) {
    byCode = new Map(Object.values(table).map((e) => [e.code, e.status]));
    STATUS_BY_TABLE.set(table, byCode);
  }
  return byCode.get(code) ?? 500;
}

/** Core's errors. */
export const CoreErrors = defineErrors({
  PLUGIN_DUPLICATE: ['ISPM_PLUGIN_DUPLICATE', 500, 'Two plugins have one name.'],
  PLUGIN_MISSING_REQUIREMENT: [
    'ISPM_PLUGIN_MISSING_REQUIREMENT',
    500,
    "A plugin's `requires` is not in the plugin list.",
  ],
  PLUGIN_VERSION_MISMATCH: [
    'ISPM_PLUGIN_VERSION_MISMATCH',
    500,
    'A plugin was built for another version of core.',
  ],
  PLUGIN_INVALID_OPTIONS: ['ISPM_PLUGIN_INVALID_OPTIONS', 400, "A plugin's options fail its schema."],
  PLUGIN_SETUP_FAILED: ['ISPM_PLUGIN_SETUP_FAILED', 500, "A plugin's setup threw."],
  PLUGIN_INVALID: ['ISPM_PLUGIN_INVALID', 500, 'Something in the plugin list is not a plugin.'],
  DEVICE_INVALID: ['ISPM_DEVICE_INVALID', 400, 'A device definition is invalid.'],
  DEVICE_DUPLICATE: ['ISPM_DEVICE_DUPLICATE', 409, 'A device id is used twice.'],
  DEVICE_NOT_FOUND: ['ISPM_DEVICE_NOT_FOUND', 404, 'No device has that id.'],
  // Config devices belong to the config file: the request conflicts with where they are managed.
  DEVICE_READ_ONLY: [
    'ISPM_DEVICE_READ_ONLY',
    409,
    'A device from the config file cannot be changed through the API.',
  ],
  DRIVER_UNKNOWN: ['ISPM_DRIVER_UNKNOWN', 400, "No driver serves a device's `driver`."],
  DRIVER_DUPLICATE: ['ISPM_DRIVER_DUPLICATE', 500, 'Two drivers serve one kind.'],
  POLL_TIMEOUT: ['ISPM_POLL_TIMEOUT', 504, 'A poll took longer than the poll timeout.'],
  POLL_FAILED: ['ISPM_POLL_FAILED', 502, 'A driver returned nothing usable.'],
  POLL_ABORTED: ['ISPM_POLL_ABORTED', 503, 'A poll was cut off: the monitor stopped.'],
  MONITOR_OVERLOADED: [
    'ISPM_MONITOR_OVERLOADED',
    503,
    "A poll was skipped: the monitor's own event loop was blocked while it ran, so it says nothing about the device.",
  ],
  CONFIG_INVALID: ['ISPM_CONFIG_INVALID', 400, 'The config file or an override is invalid.'],
  CONFIG_SECRET: ['ISPM_CONFIG_SECRET', 400, 'A secret reference cannot be resolved.'],
  TOKEN_NOT_PROVIDED: ['ISPM_TOKEN_NOT_PROVIDED', 501, 'No plugin provides what was asked for.'],
  MONITOR_STATE: ['ISPM_MONITOR_STATE', 503, 'A lifecycle call in the wrong state (start after stop).'],
});

/** Core's stable error codes, by short name (`ErrorCodes.DEVICE_NOT_FOUND`). */
export const ErrorCodes = codesOf(CoreErrors);

/** One of the codes in `ErrorCodes`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

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
    this.status = options.status ?? statusIn(CoreErrors, code);
  }
}

/** A package's own error class, as {@link errorClass} makes it: errors made from a code of its table. */
export type PluginErrorClass<N extends string = string> = new (
  code: string,
  message: string,
  options?: { cause?: unknown },
) => MonitorError & { readonly name: N };

/**
 * Makes a package's own MonitorError subclass named `name` (e.g. `SnmpError`), for a package that
 * raises errors by code: each error names `plugin` and takes the status hint `table` gives its code
 * (500 for a code not in it). `instanceof` tells the package's errors apart.
 */
export function errorClass<const N extends string>(
  name: N,
  plugin: string,
  table: ErrorTable,
): PluginErrorClass<N> {
  const PluginError = class extends MonitorError {
    override readonly name: N = name;
    constructor(code: string, message: string, options?: { cause?: unknown }) {
      super(code, message, { plugin, status: statusIn(table, code), cause: options?.cause });
    }
  };
  Object.defineProperty(PluginError, 'name', { value: name });
  return PluginError;
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
