import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServerErrors, sendError } from '../http/errors.js';
import type { Accounts, Principal } from './accounts.js';
import { type Role, roleAllows } from './secrets.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (health, ready, live, login). */
    public?: boolean;
    /** The web UI's catch-all: public, except for `/api/*` paths that no API route matched. */
    ui?: boolean;
    /** Least role the route needs. Default: viewer for GET/HEAD, operator otherwise. */
    role?: Role;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Name of the web UI's session cookie. */
export const SESSION_COOKIE = 'ispm_session';

/** The principal of the credential a request carries (an API key header or a session cookie), if valid. */
export async function authenticate(
  request: FastifyRequest,
  accounts: Accounts,
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return accounts.principalForKey(apiKey);
  if (header?.startsWith('Bearer ')) return accounts.principalForKey(header.slice(7).trim());
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return accounts.principalForSession(cookie);
  return undefined;
}

/**
 * Every route needs credentials unless it says `config: { public: true }`; unknown paths too, so
 * an anonymous caller learns nothing about which routes exist.
 */
export function installGuard(app: FastifyInstance): void {
  const accounts = app.accounts;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    // An unknown /api path falls through to the UI catch-all: it still needs credentials, so
    // anonymous callers cannot probe which API routes exist.
    if (config?.public && !(config.ui && request.url.startsWith('/api/'))) return;
    const principal = await authenticate(request, accounts);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="ispmonitor"');
      return sendError(
        reply,
        ServerErrors.UNAUTHENTICATED,
        'credentials required: an API key or a login session',
      );
    }
    const need =
      config?.role ?? (request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'operator');
    if (!roleAllows(principal.role, need)) {
      return sendError(
        reply,
        ServerErrors.FORBIDDEN,
        `this needs the ${need} role; you have ${principal.role}`,
      );
    }
    request.principal = principal;
  });
}

/** The caller's id for the audit log. */
export function actor(request: FastifyRequest): string {
  return request.principal?.id ?? 'anonymous';
}
