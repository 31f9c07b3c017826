/**
 * Profiling on demand (#19 point 3): absent when disabled, admin-only when enabled, and what it
 * returns opens in DevTools (a CPU profile with nodes and samples, a sampling heap profile with a
 * head, a heap snapshot with its meta) — of the main thread and of a worker thread.
 */
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuProfile, heapSnapshot } from '../src/profiling/inspector.js';
import { profilingRoutes } from '../src/profiling/routes.js';
import { parseServerConfig } from '../src/server-config.js';
import { createKey, type Harness, startHarness } from './support/harness.js';

describe('profiling endpoints', () => {
  let off: Harness;
  let on: Harness;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    off = await startHarness();
    on = await startHarness({ server: { profiling: true } });
    viewer = (await createKey(on, 'viewer')).headers;
    operator = (await createKey(on, 'operator')).headers;
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  it('do not exist when profiling is off (404, even for an admin)', async () => {
    for (const url of ['/api/v1/debug/profile?seconds=1', '/api/v1/debug/heap-snapshot']) {
      expect((await off.app.inject({ url, headers: off.admin })).statusCode).toBe(404);
    }
    expect(off.app.ispmRoutes.some((r) => r.url.startsWith('/api/v1/debug'))).toBe(false);
  });

  it('refuse anyone but an admin (401 anonymous, 403 viewer and operator)', async () => {
    for (const url of ['/api/v1/debug/profile?seconds=1', '/api/v1/debug/heap-snapshot']) {
      expect((await on.app.inject({ url })).statusCode).toBe(401);
      expect((await on.app.inject({ url, headers: viewer })).statusCode).toBe(403);
      expect((await on.app.inject({ url, headers: operator })).statusCode).toBe(403);
    }
    const routes = on.app.ispmRoutes.filter((r) => r.url.startsWith('/api/v1/debug'));
    expect(routes.length).toBeGreaterThanOrEqual(2);
    expect(routes.every((r) => r.role === 'admin')).toBe(true);
  });

  it('an admin gets a CPU profile of the main thread, as a .cpuprofile attachment', async () => {
    const res = await on.app.inject({ url: '/api/v1/debug/profile?kind=cpu&seconds=1', headers: on.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="ispmonitor-main-.*\.cpuprofile"/,
    );
    const profile = res.json() as { nodes: unknown[]; startTime: number; endTime: number; samples: number[] };
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(profile.endTime).toBeGreaterThan(profile.startTime);
  });

  it('an admin gets a sampling heap profile and a heap snapshot', async () => {
    const heap = await on.app.inject({ url: '/api/v1/debug/profile?kind=heap&seconds=1', headers: on.admin });
    expect(heap.statusCode).toBe(200);
    expect(heap.headers['content-disposition']).toMatch(/\.heapprofile"/);
    expect((heap.json() as { head: { children: unknown[] } }).head).toBeDefined();
    const snap = await on.app.inject({ url: '/api/v1/debug/heap-snapshot', headers: on.admin });
    expect(snap.statusCode).toBe(200);
    expect(snap.headers['content-disposition']).toMatch(/\.heapsnapshot"/);
    const parsed = JSON.parse(snap.body) as {
      snapshot: { meta: { node_fields: string[] }; node_count: number };
    };
    expect(parsed.snapshot.meta.node_fields).toContain('name');
    expect(parsed.snapshot.node_count).toBeGreaterThan(1000);
  });

  it('one profile at a time (409), bad parameters 400, an unknown worker 404', async () => {
    // Both at once: whichever the server takes first profiles, the other is refused while it runs.
    const both = await Promise.all(
      [2, 1].map((seconds) =>
        on.app.inject({ url: `/api/v1/debug/profile?seconds=${seconds}`, headers: on.admin }),
      ),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(
      (await on.app.inject({ url: '/api/v1/debug/profile?seconds=0', headers: on.admin })).statusCode,
    ).toBe(400);
    expect((await on.app.inject({ url: '/api/v1/debug/profile?kind=x', headers: on.admin })).statusCode).toBe(
      400,
    );
    const none = await on.app.inject({ url: '/api/v1/debug/profile?worker=0&seconds=1', headers: on.admin });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toMatch(/main thread/);
  });

  it('ENABLE_PROFILING turns it on; a value that is not a boolean is refused', () => {
    expect(parseServerConfig({}, {}).profiling).toBe(false);
    expect(parseServerConfig({}, { ENABLE_PROFILING: 'true' }).profiling).toBe(true);
    expect(parseServerConfig({ profiling: true }, { ENABLE_PROFILING: 'false' }).profiling).toBe(false);
    expect(() => parseServerConfig({}, { ENABLE_PROFILING: 'maybe' })).toThrow(
      /ENABLE_PROFILING.*not a boolean/,
    );
  });
});

describe('profiling a worker thread', () => {
  let worker: Worker;
  beforeAll(async () => {
    // A worker with a function of its own that keeps it busy: the profile must show that function.
    worker = new Worker(
      'function workerSpin(){let x=0;for(let i=0;i<2e5;i++)x+=Math.sqrt(i);return x} setInterval(workerSpin, 1)',
      { eval: true },
    );
    await new Promise((resolve) => worker.once('online', resolve));
  });
  afterAll(async () => {
    await worker?.terminate();
  });

  it("takes the worker's CPU profile (its own function in it, not the main thread's)", async () => {
    const profile = JSON.parse(await cpuProfile(1, worker.threadId)) as {
      nodes: { callFrame: { functionName: string } }[];
    };
    const names = profile.nodes.map((n) => n.callFrame.functionName);
    expect(names).toContain('workerSpin');
  });

  it('routes ?worker=N to the thread the poller names', async () => {
    const app = Fastify();
    await app.register(profilingRoutes, { workerThreads: () => [worker.threadId] });
    const res = await app.inject({ url: '/api/v1/debug/profile?worker=0&seconds=1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/ispmonitor-worker0-.*\.cpuprofile/);
    await app.close();
  });

  it("writes the worker's heap snapshot", async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'ispm-prof-test-'));
    try {
      await heapSnapshot(join(dir, 'w.heapsnapshot'), worker.threadId);
      const text = await readFile(join(dir, 'w.heapsnapshot'), 'utf8');
      expect(JSON.parse(text).snapshot.node_count).toBeGreaterThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
