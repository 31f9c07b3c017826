import type { Logger } from '@ispmonitor/core';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Fastify logs through the monitor's logger (one JSON format, secrets redacted), adapted to the
 * pino-style `(fields, message)` calls Fastify makes.
 */
export function fastifyLogger(logger: Logger, level = 'info'): FastifyBaseLogger {
  const call =
    (fn: (msg: string, fields?: Record<string, unknown>) => void) =>
    (a?: unknown, b?: unknown, ..._rest: unknown[]) => {
      if (typeof a === 'string') return fn(a);
      const fields = a instanceof Error ? { error: a } : (a as Record<string, unknown> | undefined);
      const err = fields?.err;
      const clean =
        err instanceof Error
          ? {
              ...fields,
              err: { message: err.message, code: (err as { code?: unknown }).code, stack: err.stack },
            }
          : fields;
      fn(typeof b === 'string' ? b : 'http', clean);
    };
  return {
    level,
    fatal: call((m, f) => logger.error(m, f)),
    error: call((m, f) => logger.error(m, f)),
    warn: call((m, f) => logger.warn(m, f)),
    // Fastify logs every request at info: that is debug detail for a monitor's log.
    info: call((m, f) => logger.debug(m, f)),
    debug: call((m, f) => logger.debug(m, f)),
    trace: () => {},
    silent: () => {},
    child: (bindings: Record<string, unknown>) => fastifyLogger(logger.child(bindings), level),
  } as unknown as FastifyBaseLogger;
}
