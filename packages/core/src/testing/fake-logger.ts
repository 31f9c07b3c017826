import type { Logger, LogLevel } from '../types.js';

/** One record a fake logger kept. */
export interface LogRecord {
  /** Level of the record. */
  level: Exclude<LogLevel, 'silent'>;
  /** Message. */
  msg: string;
  /** Fields, including the child loggers' ones. */
  fields: Record<string, unknown>;
}

/** A logger that keeps what it is told, for assertions; `text()` is everything as one string. */
export interface FakeLogger extends Logger {
  /** Every record, in order. */
  readonly records: LogRecord[];
  /** Every record as text, one a line. */
  text(): string;
}

/** A logger that keeps its records (children share them). */
export function createFakeLogger(base: Record<string, unknown> = {}, records: LogRecord[] = []): FakeLogger {
  const log = (level: LogRecord['level']) => (msg: string, fields?: Record<string, unknown>) =>
    void records.push({ level, msg, fields: { ...base, ...fields } });
  return {
    records,
    text: () =>
      records
        .map(
          (r) =>
            `${r.level} ${r.msg} ${JSON.stringify(r.fields, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        )
        .join('\n'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createFakeLogger({ ...base, ...fields }, records),
  };
}
