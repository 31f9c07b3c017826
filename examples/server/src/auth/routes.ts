import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { AnonymousFailures } from './audit.js';
import { SESSION_COOKIE } from './guard.js';
import { LoginThrottle } from './throttle.js';

/** `/api/v1/auth/login`, `/logout`, `/me`: sessions for the web UI. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['auth'];
  const { auth } = app.serverConfig;
  const ttlMs = auth.sessionTtlHours * 3_600_000;
  const throttle = new LoginThrottle(app.accounts.stateStore, {
    perAddressPerMinute: auth.loginAttemptsPerMinute,
    userFailures: auth.loginFailuresBeforeLock,
  });
  const anonymous = new AnonymousFailures(app.audit);
  const purge = setInterval(() => void throttle.purge().catch(() => {}), 3_600_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { public: true },
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
      const refused = await throttle.admit(req.ip, req.body.username);
      if (refused) {
        const seconds = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
        reply.header('retry-after', String(seconds));
        throw new HttpError(
          ServerErrors.LOGIN_THROTTLED,
          refused.reason === 'address'
            ? `too many login attempts from this address: try again in ${seconds} s`
            : `too many wrong passwords for this user: try again in ${seconds} s`,
        );
      }
      const user = await app.accounts.checkPassword(req.body.username, req.body.password);
      await throttle.result(req.body.username, Boolean(user));
      if (!user) {
        // A wrong password for a real user is worth an entry each (the user lock bounds them);
        // names that do not exist are anyone's to send, and are coalesced per address.
        if (await app.accounts.getUser(req.body.username)) {
          await app.audit.record(`user:${req.body.username}`, 'auth.login.failed', req.ip);
        } else {
          await anonymous.failed(req.ip, req.body.username);
        }
        throw new HttpError(ServerErrors.LOGIN_FAILED, 'wrong username or password');
      }
      const session = await app.accounts.openSession(user, ttlMs);
      await app.audit.record(`user:${user.username}`, 'auth.login', req.ip);
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'strict',
        // Over HTTPS (directly, or as a trusted proxy says) unless the config decides.
        secure: auth.secureCookies ?? req.protocol === 'https',
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
