import type { HealthReport } from '@ispmonitor/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from '../src/http/health.js';

/** A monitor whose health report the test sets: only what /ready reads. */
async function appWith(report: HealthReport, state = 'running') {
  const app = Fastify();
  app.decorate('monitor', { health: async () => report, state } as never);
  await app.register(healthRoutes);
  return app;
}

const check = (status: 'pass' | 'warn' | 'fail', message: string, critical = true) => ({
  status,
  message,
  critical,
  durationMs: 0,
});

describe('/ready', () => {
  it('is ok while every check passes', async () => {
    const app = await appWith({ status: 'pass', checks: { database: check('pass', 'ok') } } as HealthReport);
    const res = await app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, state: 'running', status: 'ok' });
  });

  it('stays ready but says degraded, with the reason, while the monitor is overloaded', async () => {
    const app = await appWith({
      status: 'warn',
      checks: {
        database: check('pass', 'postgres://mon@127.0.0.1/ispm'),
        overload: check('warn', 'degraded: monitor overloaded: event loop blocked 1500 ms', false),
      },
    } as HealthReport);
    const res = await app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ready: true,
      state: 'running',
      status: 'degraded',
      reason: 'degraded: monitor overloaded: event loop blocked 1500 ms',
    });
    // Other checks' messages stay out of the public probe.
    expect(res.body).not.toContain('postgres://');
  });

  it('fails (503) when a critical check fails or the monitor is not running', async () => {
    const failing = await appWith({
      status: 'fail',
      checks: { database: check('fail', 'postgres://mon@127.0.0.1/ispm: refused') },
    } as HealthReport);
    const res = await failing.inject({ url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, state: 'running', status: 'failing' });
    const stopping = await appWith({ status: 'pass', checks: {} } as HealthReport, 'stopping');
    expect((await stopping.inject({ url: '/ready' })).statusCode).toBe(503);
  });
});
