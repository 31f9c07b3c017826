import { codesOf, defineErrors, type ErrorSpec, MonitorError } from '@ispmonitor/core';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** The server's own errors, in the shape every package uses (see `ErrorSpec` in core). */
export const ServerErrors = defineErrors({
  /** A request the server refuses, with its own status (the default code of `HttpError`). */
  HTTP: ['ISPM_HTTP', 400, 'The request cannot be served.'],
  /** A request that fails the route's schema. */
  BAD_REQUEST: ['ISPM_BAD_REQUEST', 400, 'The request is invalid.'],
  /** No such route, or no such object behind it. */
  NOT_FOUND: ['ISPM_NOT_FOUND', 404, 'Not found.'],
  /** A fault of ours: logged, answered without internals. */
  INTERNAL: ['ISPM_INTERNAL', 500, 'Internal error.'],
  /** A silence matcher whose regex is not valid RE2. */
  BAD_REGEX: ['ISPM_BAD_REGEX', 400, 'A matcher is not a valid regular expression.'],
  /** A silence without the reason the server asks for. */
  SILENCE_REASON: ['ISPM_SILENCE_REASON', 400, 'A silence needs a reason.'],
  /** A silence that would mute (nearly) everything. */
  SILENCE_TOO_WIDE: ['ISPM_SILENCE_TOO_WIDE', 400, 'A silence matches too much.'],
  /** The alerting plugin in use cannot apply silences. */
  NO_SILENCES: ['ISPM_NO_SILENCES', 501, 'Silences are not supported here.'],
  /** No API key and no login session. */
  UNAUTHENTICATED: ['ISPM_UNAUTHENTICATED', 401, 'Credentials are required: an API key or a login session.'],
  /** The caller's role does not allow the request. */
  FORBIDDEN: ['ISPM_FORBIDDEN', 403, "The caller's role does not allow this."],
  /** A login with a wrong username or password. */
  LOGIN_FAILED: ['ISPM_LOGIN_FAILED', 401, 'Wrong username or password.'],
  /** Too many failed logins from one address or for one user: try again later. */
  LOGIN_THROTTLED: ['ISPM_LOGIN_THROTTLED', 429, 'Too many login attempts.'],
  /** Changing a router's address without the credentials that go with it. */
  CREDENTIALS_REQUIRED: [
    'ISPM_CREDENTIALS_REQUIRED',
    400,
    "A router's new address needs its credentials in the same request.",
  ],
  /** The license does not allow more routers. */
  LICENSE_LIMIT: ['ISPM_LICENSE_LIMIT', 403, 'The license does not allow this.'],
  /** Too many server-sent event streams open, for the caller or the server. */
  TOO_MANY_STREAMS: ['ISPM_TOO_MANY_STREAMS', 429, 'Too many event streams are open.'],
  /** More routers in one request than the server's limit. */
  TOO_MANY_ROUTERS: ['ISPM_TOO_MANY_ROUTERS', 400, 'Too many routers in one request.'],
  /** No storage plugin: time series and samples are not kept. */
  NO_STORAGE: ['ISPM_NO_STORAGE', 501, 'No storage plugin is installed.'],
  /** No plugin keeps subscriber sessions. */
  NO_SUBSCRIBER_STORE: ['ISPM_NO_SUBSCRIBER_STORE', 503, 'Subscriber sessions are not kept here.'],
  /** A poller worker that does not exist (profiling). */
  NO_WORKER: ['ISPM_NO_WORKER', 404, 'No such poller worker.'],
  /** A profile is already being taken: one at a time. */
  PROFILE_BUSY: ['ISPM_PROFILE_BUSY', 409, 'A profile is being taken.'],
  /** A heap snapshot that did not finish in time. */
  PROFILE_TIMEOUT: ['ISPM_PROFILE_TIMEOUT', 504, 'The profile did not finish in time.'],
});

/** The codes of `ServerErrors`, by the same names. */
export const ServerErrorCodes = codesOf(ServerErrors);

/**
 * An error that becomes an HTTP response with its status, code and message. Give it a spec of
 * an error table (`new HttpError(ServerErrors.NO_STORAGE, 'time series are not kept')`: the
 * spec's status and code), or a status, a message and a code.
 */
export class HttpError extends MonitorError {
  override readonly name: string = 'HttpError';
  constructor(spec: ErrorSpec, message?: string);
  constructor(statusCode: number, message: string, code?: string);
  constructor(spec: ErrorSpec | number, message?: string, code: string = ServerErrors.HTTP.code) {
    if (typeof spec === 'number') super(code, message ?? '', { plugin: 'server', status: spec });
    else super(spec.code, message ?? spec.message, { plugin: 'server', status: spec.status });
  }

  /** The response's status (the status hint every MonitorError has). */
  get statusCode(): number {
    return this.status;
  }
}

/**
 * Answers with a table's error, from a hook that replies itself rather than throwing: the same
 * status and `{ error, message }` body the error handler gives a thrown MonitorError.
 */
export function sendError(
  reply: FastifyReply,
  spec: ErrorSpec,
  message: string = spec.message,
): FastifyReply {
  return reply.code(spec.status).send({ error: spec.code, message });
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
