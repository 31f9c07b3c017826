import type { Logger, LogLevel } from './types.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Replaces every known secret value in text with `[REDACTED]`. */
export class Redactor {
  #secrets: string[] = [];

  /** Remembers a secret value; values shorter than 4 characters are ignored (too common to mask). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4 || this.#secrets.includes(secret)) return;
    this.#secrets.push(secret);
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#secrets.length;
  }

  /** The text with every known secret replaced. */
  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    return out;
  }
}

/** Keys whose values are never logged, whatever they hold. */
const SECRET_KEY = /pass(word)?|secret|token|community|authkey|privkey|api[-_]?key|credential|authorization/i;

/**
 * String values under secret-looking keys anywhere in a value (a device's driver settings: SNMP
 * communities and keys, RouterOS passwords), for the redactor: a credential added through the
 * API is then masked by value too, wherever it is later quoted (an error message, a URL).
 */
export function secretValues(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || value === null || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && SECRET_KEY.test(key)) out.push(v);
    else if (typeof v === 'object') secretValues(v, out, depth + 1);
  }
  return out;
}

/**
 * One log record as JSON. Secrets are replaced in the raw values, before serialisation: a secret
 * holding `"` or `\` is escaped in JSON text, so masking the text afterwards would miss it.
 */
function toJson(value: unknown, redactor?: Redactor): string {
  const mask = (text: string) => (redactor?.size ? redactor.redact(text) : text);
  // Objects on the path from the root to the value being serialised: a field that refers back to
  // one of them (a socket and its response, say) is written as "[Circular]" instead of throwing.
  const path: object[] = [];
  return JSON.stringify(value, function (this: unknown, key, v) {
    if (key && SECRET_KEY.test(key) && v !== undefined && v !== null && typeof v !== 'object')
      return '[REDACTED]';
    if (typeof v === 'string') return mask(v);
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return v;
    while (path.length > 0 && path[path.length - 1] !== this) path.pop();
    if (path.includes(v)) return '[Circular]';
    const out =
      v instanceof Error
        ? { name: v.name, message: mask(v.message), code: (v as { code?: unknown }).code }
        : v;
    path.push(out);
    return out;
  });
}

/** {@link toJson}, or for a value that still cannot be written, a record saying so: logging never throws. */
function safeJson(value: Record<string, unknown>, redactor?: Redactor): string {
  try {
    return toJson(value, redactor);
  } catch (error) {
    const { time, level, msg } = value;
    return toJson({ time, level, msg, logError: `fields not serialisable: ${String(error)}` }, redactor);
  }
}

/** Options of the built-in logger. */
export interface JsonLoggerOptions {
  /** Least level written. Default `info`. */
  level?: LogLevel;
  /** Secrets to redact. Default none. */
  redactor?: Redactor;
  /** Where lines go. Default: stderr. */
  write?: (line: string) => void;
  /** Fields on every record. */
  fields?: Record<string, unknown>;
}

/**
 * The built-in logger: one JSON object a line. Values under secret-looking keys and every
 * registered secret value are replaced by `[REDACTED]` before the line is written.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const redactor = options.redactor ?? new Redactor();
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.fields ?? {};
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    write(safeJson({ time: new Date().toISOString(), level, msg, ...base, ...fields }, redactor));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createJsonLogger({ ...options, redactor, fields: { ...base, ...fields } }),
  };
}

/** Wraps any logger so that registered secret values never pass through it. */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  const clean = (fields?: Record<string, unknown>) =>
    fields === undefined || redactor.size === 0
      ? fields
      : (JSON.parse(safeJson(fields, redactor)) as Record<string, unknown>);
  const msg = (m: string) => (redactor.size ? redactor.redact(m) : m);
  return {
    debug: (m, f) => inner.debug(msg(m), clean(f)),
    info: (m, f) => inner.info(msg(m), clean(f)),
    warn: (m, f) => inner.warn(msg(m), clean(f)),
    error: (m, f) => inner.error(msg(m), clean(f)),
    child: (fields) => redactingLogger(inner.child(clean(fields) ?? {}), redactor),
  };
}

/** Whether a string is a log level. */
export const isLogLevel = (v: string): v is LogLevel => v in LEVELS;
