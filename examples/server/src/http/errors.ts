import { codesOf, type ErrorTable, MonitorError } from '@ispmonitor/core';
import type { FastifyError, FastifyInstance } from 'fastify';

/** The server's own errors, in the shape every package uses (see `ErrorSpec` in core). */
export const ServerErrors = {
  /** A request the server refuses, with its own status (the default code of `HttpError`). */
  HTTP: { code: 'ISPM_HTTP', message: 'The request cannot be served.', status: 400 },
  /** A request that fails the route's schema. */
  BAD_REQUEST: { code: 'ISPM_BAD_REQUEST', message: 'The request is invalid.', status: 400 },
  /** No such route, or no such object behind it. */
  NOT_FOUND: { code: 'ISPM_NOT_FOUND', message: 'Not found.', status: 404 },
  /** A fault of ours: logged, answered without internals. */
  INTERNAL: { code: 'ISPM_INTERNAL', message: 'Internal error.', status: 500 },
  /** A silence matcher whose regex is not valid RE2. */
  BAD_REGEX: { code: 'ISPM_BAD_REGEX', message: 'A matcher is not a valid regular expression.', status: 400 },
  /** A silence without the reason the server asks for. */
  SILENCE_REASON: { code: 'ISPM_SILENCE_REASON', message: 'A silence needs a reason.', status: 400 },
  /** A silence that would mute (nearly) everything. */
  SILENCE_TOO_WIDE: { code: 'ISPM_SILENCE_TOO_WIDE', message: 'A silence matches too much.', status: 400 },
  /** The alerting plugin in use cannot apply silences. */
  NO_SILENCES: { code: 'ISPM_NO_SILENCES', message: 'Silences are not supported here.', status: 501 },
} as const satisfies ErrorTable;

/** The codes of `ServerErrors`, by the same names. */
export const ServerErrorCodes = codesOf(ServerErrors);

/** An error that becomes an HTTP response with this status and message. */
export class HttpError extends MonitorError {
  override readonly name: string = 'HttpError';
  constructor(statusCode: number, message: string, code: string = ServerErrors.HTTP.code) {
    super(code, message, { plugin: 'server', status: statusCode });
  }

  /** The response's status (the status hint every MonitorError has). */
  get statusCode(): number {
    return this.status;
  }
}

/**
 * One error handler for the whole API: invalid input is a 4xx with a message saying what is
 * wrong; only real faults are 500, logged, and answered without internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | MonitorError, request, reply) => {
    // Any package's MonitorError carries its HTTP status hint: a 500 is a fault (logged, no
    // internals in the answer); anything else is answered with the error's code and message.
    if (error instanceof MonitorError && error.status !== 500) {
      return reply.code(error.status).send({ error: error.code, message: error.message });
    }
    const status = (error as FastifyError).statusCode;
    if (!(error instanceof MonitorError) && status && status >= 400 && status < 500) {
      const validation = (error as FastifyError).validation;
      const context = (error as FastifyError).validationContext;
      const message = validation
        ? validation
            .map((v) => `${context ?? 'request'}${v.instancePath || ''} ${v.message ?? 'is invalid'}`)
            .join('; ')
        : error.message;
      return reply
        .code(status)
        .send({ error: (error as FastifyError).code ?? ServerErrors.BAD_REQUEST.code, message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: ServerErrors.INTERNAL.code, message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: ServerErrors.NOT_FOUND.code,
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    });
  });
}
