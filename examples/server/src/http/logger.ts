import type { Logger } from '@ispmonitor/core';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Fastify passes its request and reply objects (pino would apply serialisers): they hold sockets
 * and refer to each other, so only the fields worth a log line are kept.
 */
function slim(fields: Record<string, unknown>): Record<string, unknown> {
  const { req, res, err, ...rest } = fields as {
    req?: { method?: string; url?: string; id?: string };
    res?: { statusCode?: number };
    err?: unknown;
  };
  const out: Record<string, unknown> = { ...rest };
  if (req && typeof req === 'object') Object.assign(out, { method: req.method, url: req.url, reqId: req.id });
  if (res && typeof res === 'object') out.statusCode = res.statusCode;
  if (err instanceof Error)
    out.err = { message: err.message, code: (err as { code?: unknown }).code, stack: err.stack };
  else if (err !== undefined) out.err = err;
  return out;
}

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
      fn(typeof b === 'string' ? b : 'http', fields && slim(fields));
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
