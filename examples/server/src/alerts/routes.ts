import type { FastifyInstance } from 'fastify';
import { actor } from '../auth/guard.js';
import { HttpError } from '../http/errors.js';
import { parseStep, parseTime } from '../http/query.js';

const fingerprintParams = {
  type: 'object',
  properties: {
    fingerprint: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' },
  },
} as const;

/** `/api/v1/alerts` (list, acknowledge) and `/api/v1/silences` (list, create, expire). */
export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['alerts'];
  app.get<{ Querystring: { status?: 'firing' | 'pending' | 'resolved' } }>(
    '/api/v1/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['firing', 'pending', 'resolved'] } },
        },
      },
    },
    async (req) => {
      const items = await app.alerts.list({ status: req.query.status });
      return { items, total: items.length };
    },
  );

  app.post<{ Params: { fingerprint: string }; Body: { comment?: string } | undefined }>(
    '/api/v1/alerts/:fingerprint/ack',
    {
      schema: {
        tags,
        summary: 'Acknowledge an alert',
        params: fingerprintParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { comment: { type: 'string', maxLength: 1000 } },
        },
      },
    },
    async (req) => {
      const alert = await app.alerts.acknowledge(req.params.fingerprint, actor(req), req.body?.comment);
      if (!alert) throw new HttpError(404, `no alert "${req.params.fingerprint}"`, 'ISPM_NOT_FOUND');
      await app.audit.record(actor(req), 'alert.acknowledge', req.params.fingerprint);
      return alert;
    },
  );

  const silences = () => {
    if (!app.alerts.silences) {
      throw new HttpError(501, 'the alerting plugin in use cannot apply silences', 'ISPM_NO_SILENCES');
    }
    return app.alerts.silences;
  };

  app.get('/api/v1/silences', { schema: { tags, summary: 'Silences' } }, async () => {
    const items = await silences().list();
    return { items, total: items.length };
  });

  app.post<{
    Body: {
      matchers: Array<{ name: string; value: string; isRegex?: boolean; isEqual?: boolean }>;
      startsAt?: string;
      endsAt: string;
      comment: string;
    };
  }>(
    '/api/v1/silences',
    {
      schema: {
        tags,
        summary: 'Create a silence',
        body: {
          type: 'object',
          required: ['matchers', 'endsAt', 'comment'],
          additionalProperties: false,
          properties: {
            matchers: {
              type: 'array',
              minItems: 1,
              maxItems: 32,
              items: {
                type: 'object',
                required: ['name', 'value'],
                additionalProperties: false,
                properties: {
                  name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
                  value: { type: 'string', maxLength: 1024 },
                  isRegex: { type: 'boolean' },
                  isEqual: { type: 'boolean' },
                },
              },
            },
            startsAt: { type: 'string', maxLength: 40 },
            endsAt: { type: 'string', maxLength: 40 },
            comment: { type: 'string', minLength: 1, maxLength: 1000 },
          },
        },
      },
    },
    async (req, reply) => {
      const now = Date.now();
      const startsAt = parseTime(req.body.startsAt, now, now, 'startsAt');
      const end = req.body.endsAt.startsWith('+')
        ? now + parseStep(req.body.endsAt.slice(1), 0, 'endsAt')
        : parseTime(req.body.endsAt, 0, now, 'endsAt');
      if (end <= startsAt) throw new HttpError(400, 'endsAt must be after startsAt');
      for (const m of req.body.matchers) {
        if (!m.isRegex) continue;
        try {
          new RegExp(m.value);
        } catch {
          throw new HttpError(400, `matcher ${m.name}: "${m.value}" is not a valid regular expression`);
        }
      }
      const silence = await silences().create({
        matchers: req.body.matchers,
        startsAt,
        endsAt: end,
        comment: req.body.comment,
        createdBy: actor(req),
      });
      await app.audit.record(actor(req), 'silence.create', silence.id, { matchers: req.body.matchers });
      return reply.code(201).send(silence);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/silences/:id',
    {
      schema: {
        tags,
        summary: 'Expire a silence',
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } },
      },
    },
    async (req, reply) => {
      if (!(await silences().expire(req.params.id))) {
        throw new HttpError(404, `no silence "${req.params.id}"`, 'ISPM_NOT_FOUND');
      }
      await app.audit.record(actor(req), 'silence.expire', req.params.id);
      return reply.code(204).send();
    },
  );
}
