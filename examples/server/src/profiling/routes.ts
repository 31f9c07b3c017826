/**
 * Profiling on demand (`server.profiling`, env ENABLE_PROFILING=true): admin-only endpoints that
 * take a CPU profile or a sampling heap profile for some seconds, or a heap snapshot, of the main
 * thread or of one poller worker. Registered only when enabled, so a server without it answers
 * 404 and exposes nothing. One profile at a time: a second request gets 409.
 */

import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { cpuProfile, heapProfile, heapSnapshot, PROFILE_EXTENSIONS, type ProfileKind } from './inspector.js';

/** Longest a heap snapshot may take before the request gives up (504) and the profiler is free again. */
const SNAPSHOT_DEADLINE_MS = 180_000;

/** Rejects after `ms` unless `work` settled first; `work` is not cancelled (nothing can cancel V8's walk). */
function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new HttpError(ServerErrors.PROFILE_TIMEOUT, `${what} did not finish within ${ms / 1000} s`)),
      ms,
    );
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The answer to a second profile while one is being taken (`{ error: <text> }`, as it always was). */
function busyReply(reply: FastifyReply): FastifyReply {
  return reply
    .code(ServerErrors.PROFILE_BUSY.status)
    .send({ error: 'a profile is being taken; try again when it is done' });
}

/** Options of the profiling routes. */
export interface ProfilingRoutesOptions {
  /** Thread ids of the poller's worker threads, by worker number (empty: drivers run on the main thread). */
  workerThreads?: () => readonly number[];
}

const querySchema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['cpu', 'heap'], default: 'cpu' },
    seconds: { type: 'integer', minimum: 1, maximum: 300, default: 10 },
    worker: { type: 'integer', minimum: 0, maximum: 1023 },
  },
  additionalProperties: false,
} as const;

const snapshotQuerySchema = {
  type: 'object',
  properties: { worker: { type: 'integer', minimum: 0, maximum: 1023 } },
  additionalProperties: false,
} as const;

/** The profiling routes; register them only when profiling is enabled. */
export async function profilingRoutes(app: FastifyInstance, options: ProfilingRoutesOptions): Promise<void> {
  let busy = false;
  const threads = options.workerThreads ?? (() => []);

  /** The thread id of worker `n`, or a 404 reply when there is no such worker. */
  const threadOf = (worker: number | undefined, reply: FastifyReply): number | undefined | null => {
    if (worker === undefined) return undefined;
    const ids = threads();
    const id = ids[worker];
    if (id === undefined) {
      const have =
        ids.length === 0
          ? 'drivers run on the main thread (poller.workers 1)'
          : `workers 0–${ids.length - 1}`;
      // Answered as `{ error: <text> }` (no code), as this route always has.
      reply.code(ServerErrors.NO_WORKER.status).send({ error: `no poller worker ${worker}: ${have}` });
      return null;
    }
    return id;
  };
  const fileName = (kind: ProfileKind, worker: number | undefined) =>
    `ispmonitor-${worker === undefined ? 'main' : `worker${worker}`}-${new Date().toISOString().replace(/[:.]/g, '-')}.${PROFILE_EXTENSIONS[kind]}`;

  app.get(
    '/api/v1/debug/profile',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['system'],
        summary:
          'CPU profile (.cpuprofile) or sampling heap profile (.heapprofile) of the main thread or a poller worker',
        querystring: querySchema,
      },
    },
    async (request, reply) => {
      const q = request.query as { kind: 'cpu' | 'heap'; seconds: number; worker?: number };
      const thread = threadOf(q.worker, reply);
      if (thread === null) return reply;
      if (busy) return busyReply(reply);
      busy = true;
      // The client hanging up ends the sampling early instead of holding the profiler.
      const gone = new AbortController();
      request.raw.once('close', () => gone.abort());
      try {
        const take = q.kind === 'heap' ? heapProfile : cpuProfile;
        const body = await take(q.seconds, thread, gone.signal);
        request.log.info({ kind: q.kind, seconds: q.seconds, worker: q.worker }, 'profile taken');
        return reply
          .type('application/json')
          .header('content-disposition', `attachment; filename="${fileName(q.kind, q.worker)}"`)
          .send(body);
      } finally {
        busy = false;
      }
    },
  );

  app.get(
    '/api/v1/debug/heap-snapshot',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['system'],
        summary:
          'Heap snapshot (.heapsnapshot) of the main thread or a poller worker; the thread pauses while it is taken',
        querystring: snapshotQuerySchema,
      },
    },
    async (request, reply) => {
      const q = request.query as { worker?: number };
      const thread = threadOf(q.worker, reply);
      if (thread === null) return reply;
      if (busy) return busyReply(reply);
      busy = true;
      const dir = await mkdtemp(join(tmpdir(), 'ispm-heap-'));
      const file = join(dir, 'snapshot.heapsnapshot');
      const cleanup = () => rm(dir, { recursive: true, force: true }).catch(() => {});
      try {
        await withDeadline(heapSnapshot(file, thread), SNAPSHOT_DEADLINE_MS, 'the heap snapshot');
      } catch (err) {
        await cleanup();
        // A snapshot past its deadline is answered by the error handler: 504 with its code.
        throw err;
      } finally {
        busy = false;
      }
      request.log.info({ worker: q.worker }, 'heap snapshot taken');
      const stream = createReadStream(file);
      stream.once('close', cleanup);
      return reply
        .type('application/json')
        .header('content-disposition', `attachment; filename="${fileName('snapshot', q.worker)}"`)
        .send(stream);
    },
  );
}
