import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { SESSION_COOKIE } from './guard.js';

/** `/api/v1/auth/login`, `/logout`, `/me`: sessions for the web UI. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['auth'];
  const ttlMs = app.serverConfig.auth.sessionTtlHours * 3_600_000;
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: {
        public: true,
        rateLimit: { max: app.serverConfig.auth.loginAttemptsPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags,
        summary: 'Log in (sets an httpOnly session cookie)',
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 128 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
      },
    },
    async (req, reply) => {
      const user = await app.accounts.checkPassword(req.body.username, req.body.password);
      if (!user) {
        await app.audit.record(`user:${req.body.username}`, 'auth.login.failed', req.ip);
        throw new HttpError(401, 'wrong username or password', 'ISPM_LOGIN_FAILED');
      }
      const session = await app.accounts.openSession(user, ttlMs);
      await app.audit.record(`user:${user.username}`, 'auth.login', req.ip);
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: app.serverConfig.auth.secureCookies,
        path: '/',
        maxAge: Math.floor(ttlMs / 1000),
      });
      return {
        username: user.username,
        role: user.role,
        expiresAt: new Date(session.expiresAt).toISOString(),
      };
    },
  );
  app.post(
    '/api/v1/auth/logout',
    { config: { role: 'viewer' }, schema: { tags, summary: 'Log out' } },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await app.accounts.closeSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
  app.get('/api/v1/auth/me', { schema: { tags, summary: 'Who am I' } }, async (req) => req.principal);
}
