import { ErrorCodes, MonitorError } from '@ispmonitor/core';
import type { FastifyError, FastifyInstance } from 'fastify';

/** An error that becomes an HTTP response with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'ISPM_HTTP',
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCodes.DEVICE_INVALID]: 400,
  [ErrorCodes.DRIVER_UNKNOWN]: 400,
  [ErrorCodes.DEVICE_DUPLICATE]: 409,
  [ErrorCodes.DEVICE_NOT_FOUND]: 404,
  // Config devices belong to the config file: the request conflicts with where they are managed.
  [ErrorCodes.DEVICE_READ_ONLY]: 409,
  [ErrorCodes.TOKEN_NOT_PROVIDED]: 501,
};

/**
 * One error handler for the whole API: invalid input is a 4xx with a message saying what is
 * wrong; only real faults are 500, logged, and answered without internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | MonitorError | HttpError, request, reply) => {
    if (error instanceof MonitorError) {
      const status = STATUS_BY_CODE[error.code];
      if (status) return reply.code(status).send({ error: error.code, message: error.message });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const validation = (error as FastifyError).validation;
      const context = (error as FastifyError).validationContext;
      const message = validation
        ? validation
            .map((v) => `${context ?? 'request'}${v.instancePath || ''} ${v.message ?? 'is invalid'}`)
            .join('; ')
        : error.message;
      return reply.code(status).send({ error: (error as FastifyError).code ?? 'ISPM_BAD_REQUEST', message });
    }
    if (status && status >= 500 && error instanceof HttpError) {
      return reply.code(status).send({ error: error.code, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'ISPM_INTERNAL', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: 'ISPM_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
