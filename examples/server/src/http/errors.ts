import { codesOf, type ErrorSpec, type ErrorTable, MonitorError } from '@ispmonitor/core';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

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
  /** No API key and no login session. */
  UNAUTHENTICATED: {
    code: 'ISPM_UNAUTHENTICATED',
    message: 'Credentials are required: an API key or a login session.',
    status: 401,
  },
  /** The caller's role does not allow the request. */
  FORBIDDEN: { code: 'ISPM_FORBIDDEN', message: "The caller's role does not allow this.", status: 403 },
  /** A login with a wrong username or password. */
  LOGIN_FAILED: { code: 'ISPM_LOGIN_FAILED', message: 'Wrong username or password.', status: 401 },
  /** Too many failed logins from one address or for one user: try again later. */
  LOGIN_THROTTLED: { code: 'ISPM_LOGIN_THROTTLED', message: 'Too many login attempts.', status: 429 },
  /** Changing a router's address without the credentials that go with it. */
  CREDENTIALS_REQUIRED: {
    code: 'ISPM_CREDENTIALS_REQUIRED',
    message: "A router's new address needs its credentials in the same request.",
    status: 400,
  },
  /** The license does not allow more routers. */
  LICENSE_LIMIT: { code: 'ISPM_LICENSE_LIMIT', message: 'The license does not allow this.', status: 403 },
  /** Too many server-sent event streams open, for the caller or the server. */
  TOO_MANY_STREAMS: {
    code: 'ISPM_TOO_MANY_STREAMS',
    message: 'Too many event streams are open.',
    status: 429,
  },
  /** More routers in one request than the server's limit. */
  TOO_MANY_ROUTERS: {
    code: 'ISPM_TOO_MANY_ROUTERS',
    message: 'Too many routers in one request.',
    status: 400,
  },
  /** No storage plugin: time series and samples are not kept. */
  NO_STORAGE: { code: 'ISPM_NO_STORAGE', message: 'No storage plugin is installed.', status: 501 },
  /** No plugin keeps subscriber sessions. */
  NO_SUBSCRIBER_STORE: {
    code: 'ISPM_NO_SUBSCRIBER_STORE',
    message: 'Subscriber sessions are not kept here.',
    status: 503,
  },
  /** A poller worker that does not exist (profiling). */
  NO_WORKER: { code: 'ISPM_NO_WORKER', message: 'No such poller worker.', status: 404 },
  /** A profile is already being taken: one at a time. */
  PROFILE_BUSY: { code: 'ISPM_PROFILE_BUSY', message: 'A profile is being taken.', status: 409 },
  /** A heap snapshot that did not finish in time. */
  PROFILE_TIMEOUT: {
    code: 'ISPM_PROFILE_TIMEOUT',
    message: 'The profile did not finish in time.',
    status: 504,
  },
} as const satisfies ErrorTable;

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
