import type { Logger, LogLevel } from '../types.js';

/** One record a fake logger kept. */
export interface LogRecord {
  level: Exclude<LogLevel, 'silent'>;
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps what it is told, for assertions; `text()` is everything as one string. */
export interface FakeLogger extends Logger {
  readonly records: LogRecord[];
  text(): string;
}

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
