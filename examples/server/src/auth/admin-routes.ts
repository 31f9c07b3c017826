import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { type PageParams, pageQuery, paging } from '../http/query.js';
import { MAX_AUDIT_PAGE } from './audit.js';
import { actor } from './guard.js';
import { ROLES, type Role } from './secrets.js';

const roleSchema = { type: 'string', enum: [...ROLES] } as const;

/** Users, API keys and the audit log: admin only. */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const config = { role: 'admin' as const };
  const tags = ['admin'];

  app.get('/api/v1/users', { config, schema: { tags, summary: 'Users' } }, async () => ({
    items: await app.accounts.listUsers(),
  }));
  app.put<{ Params: { username: string }; Body: { password: string; role: Role } }>(
    '/api/v1/users/:username',
    {
      config,
      schema: {
        tags,
        summary: 'Create or replace a user',
        params: pathParams('username', 64, { minLength: 1, pattern: '^[A-Za-z0-9._@-]+$' }),
        body: {
          type: 'object',
          required: ['password', 'role'],
          additionalProperties: false,
          properties: { password: { type: 'string', minLength: 8, maxLength: 1024 }, role: roleSchema },
        },
      },
    },
    async (req) => {
      await app.accounts.putUser(req.params.username, req.body.password, req.body.role);
      await app.audit.record(actor(req), 'user.put', req.params.username, { role: req.body.role });
      return { username: req.params.username, role: req.body.role };
    },
  );
  app.delete<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a user',
        params: pathParams('username', 64),
      },
    },
    async (req, reply) => {
      if (actor(req) === `user:${req.params.username}`)
        throw new HttpError(409, 'you cannot delete yourself');
      if (!(await app.accounts.deleteUser(req.params.username)))
        throw new HttpError(404, `no user "${req.params.username}"`);
      await app.audit.record(actor(req), 'user.delete', req.params.username);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/keys',
    { config, schema: { tags, summary: 'API keys (never the keys themselves)' } },
    async () => ({
      items: await app.accounts.listKeys(),
    }),
  );
  app.post<{ Body: { name: string; role: Role } }>(
    '/api/v1/keys',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API key: the key is in this response only',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, role: roleSchema },
        },
      },
    },
    async (req, reply) => {
      const { key, meta } = await app.accounts.createKey(req.body.name, req.body.role, actor(req));
      await app.audit.record(actor(req), 'apikey.create', meta.id, { name: meta.name, role: meta.role });
      return reply.code(201).send({ ...meta, key });
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/keys/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an API key',
        params: pathParams('id', 64),
      },
    },
    async (req, reply) => {
      if (!(await app.accounts.revokeKey(req.params.id)))
        throw new HttpError(404, `no API key "${req.params.id}"`);
      await app.audit.record(actor(req), 'apikey.revoke', req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: PageParams & { limit?: number; cursor?: string } }>(
    '/api/v1/audit',
    {
      config,
      schema: {
        tags,
        summary:
          'Audit log, newest first: `limit` entries after `cursor` (the `nextCursor` of the previous page)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE },
            cursor: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[0-9]{15}-[0-9a-f]{8}$' },
          },
        },
      },
    },
    async (req) => {
      if (req.query.cursor !== undefined || req.query.limit !== undefined) {
        if (req.query.page !== undefined && req.query.page !== 1) {
          throw new HttpError(400, 'page: use either page/pageSize or limit/cursor, not both');
        }
        return app.audit.page(req.query.limit ?? 50, req.query.cursor);
      }
      const p = paging(req.query);
      return { ...(await app.audit.list(p.limit, p.offset)), page: p.page, pageSize: p.pageSize };
    },
  );
}
