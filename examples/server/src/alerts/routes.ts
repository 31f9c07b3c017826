import type { FastifyInstance } from 'fastify';
import { actor } from '../auth/guard.js';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { parseStep, parseTime } from '../http/query.js';
import { type AckInfo, alertChanges, type SilenceInfo } from './changes.js';
import { ackOf, checkSilenceInput } from './checks.js';

const FINGERPRINT = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const fingerprintParams = { type: 'object', properties: { fingerprint: FINGERPRINT } } as const;

/**
 * `/api/v1/alerts` (list, acknowledge with a note, unacknowledge, acknowledge many) and
 * `/api/v1/silences` (list, create with a reason, expire). Every change is announced on the event
 * stream (`/api/v1/events`), so other open sessions see it without reloading.
 */
export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['alerts'];
  const changes = alertChanges(app.alerts, app.monitor.bus);
  /** Acknowledges one alert and announces it; undefined when no such alert is active. */
  const ackOne = async (fingerprint: string, by: string, comment: string | undefined) => {
    const alert = await app.alerts.acknowledge(fingerprint, by, comment);
    if (!alert) return undefined;
    const ack: AckInfo = ackOf(alert) ?? { by, at: Date.now(), ...(comment ? { comment } : {}) };
    changes.emit({ event: 'alert:acknowledged', data: { fingerprint, ack } });
    return alert;
  };
  app.get<{ Querystring: { status?: 'firing' | 'pending' | 'resolved' } }>(
    '/api/v1/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts, newest first (pending ones are listed as `pending`, never counted as firing)',
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

  app.get(
    '/api/v1/alerts/counts',
    { schema: { tags, summary: 'Alert totals: firing, pending, by severity' } },
    () => changes.counts(),
  );

  app.post<{ Params: { fingerprint: string }; Body: { comment?: string } | undefined }>(
    '/api/v1/alerts/:fingerprint/ack',
    {
      schema: {
        tags,
        summary: 'Acknowledge an alert, with an optional note (who and when are recorded)',
        params: fingerprintParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { comment: { type: 'string', maxLength: 1000 } },
        },
      },
    },
    async (req) => {
      const comment = req.body?.comment?.trim() || undefined;
      const alert = await ackOne(req.params.fingerprint, actor(req), comment);
      if (!alert)
        throw new HttpError(404, `no alert "${req.params.fingerprint}"`, ServerErrors.NOT_FOUND.code);
      await app.audit.record(actor(req), 'alert.acknowledge', req.params.fingerprint);
      return alert;
    },
  );

  app.delete<{ Params: { fingerprint: string } }>(
    '/api/v1/alerts/:fingerprint/ack',
    { schema: { tags, summary: 'Remove the acknowledgement of an alert', params: fingerprintParams } },
    async (req, reply) => {
      const fingerprint = req.params.fingerprint;
      if (!(await app.alerts.unacknowledge(fingerprint))) {
        throw new HttpError(
          404,
          `no acknowledged active alert "${fingerprint}"`,
          ServerErrors.NOT_FOUND.code,
        );
      }
      changes.emit({ event: 'alert:unacknowledged', data: { fingerprint, by: actor(req), ts: Date.now() } });
      await app.audit.record(actor(req), 'alert.unacknowledge', fingerprint);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { fingerprints: string[]; comment?: string } }>(
    '/api/v1/alerts/ack',
    {
      schema: {
        tags,
        summary: 'Acknowledge many alerts at once, with one optional note',
        body: {
          type: 'object',
          required: ['fingerprints'],
          additionalProperties: false,
          properties: {
            fingerprints: { type: 'array', minItems: 1, maxItems: 1000, items: FINGERPRINT },
            comment: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (req) => {
      const comment = req.body.comment?.trim() || undefined;
      const acknowledged: object[] = [];
      const missing: string[] = [];
      for (const fp of new Set(req.body.fingerprints)) {
        const alert = await ackOne(fp, actor(req), comment);
        if (alert) acknowledged.push(alert);
        else missing.push(fp);
      }
      if (acknowledged.length > 0) {
        await app.audit.record(actor(req), 'alert.acknowledge', `${acknowledged.length} alerts`, {
          fingerprints: req.body.fingerprints.slice(0, 1000),
        });
      }
      return { acknowledged, missing };
    },
  );

  const silences = () => {
    if (!app.alerts.silences) {
      throw new HttpError(
        501,
        'the alerting plugin in use cannot apply silences',
        ServerErrors.NO_SILENCES.code,
      );
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
        summary:
          'Create a silence: any label set (one interface, one router, one site), with a required reason',
        body: {
          type: 'object',
          required: ['matchers', 'endsAt'],
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
            comment: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (req, reply) => {
      const comment = checkSilenceInput(req.body);
      const now = Date.now();
      const startsAt = parseTime(req.body.startsAt, now, now, 'startsAt');
      const end = req.body.endsAt.startsWith('+')
        ? now + parseStep(req.body.endsAt.slice(1), 0, 'endsAt')
        : parseTime(req.body.endsAt, 0, now, 'endsAt');
      if (end <= startsAt) throw new HttpError(400, 'endsAt must be after startsAt');
      const silence = await silences().create({
        matchers: req.body.matchers,
        startsAt,
        endsAt: end,
        comment,
        createdBy: actor(req),
      });
      changes.emit({ event: 'silence:created', data: { silence: silence as SilenceInfo } });
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
        params: pathParams('id', 128, { minLength: 1 }),
      },
    },
    async (req, reply) => {
      const api = silences();
      const before = (await api.list()).find((s) => (s as { id?: string }).id === req.params.id);
      if (!(await api.expire(req.params.id))) {
        throw new HttpError(404, `no silence "${req.params.id}"`, ServerErrors.NOT_FOUND.code);
      }
      const now = Date.now();
      const silence = { ...(before ?? { id: req.params.id }), endsAt: now } as SilenceInfo;
      changes.emit({ event: 'silence:expired', data: { silence, by: actor(req), ts: now } });
      await app.audit.record(actor(req), 'silence.expire', req.params.id);
      return reply.code(204).send();
    },
  );
}
