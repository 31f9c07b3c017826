import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor } from '@ispmonitor/core';
import { createFakeLogger, testPlugin } from '@ispmonitor/core/testing';
import { type Notification, NotifierToken } from '@ispmonitor/plugin-alerts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatNotifier, reachability } from '../src/index.js';

let server: Server;
let openPort = 0;
let closedPort = 0;

/** A port that was free a moment ago: nothing listens there, so connecting is refused. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  server = createServer((socket) => socket.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  openPort = (server.address() as { port: number }).port;
  closedPort = await freePort();
});
afterAll(() => new Promise((r) => server.close(r)));

testPlugin('reachability', {
  plugin: () => reachability(),
  device: () => ({ id: 'open', host: '127.0.0.1', driver: 'tcp', tcp: { ports: [openPort] } }),
  failures: [
    {
      name: 'connection refused',
      device: () => ({ id: 'refused', host: '127.0.0.1', driver: 'tcp', tcp: { ports: [closedPort] } }),
    },
    {
      name: 'every port refused',
      device: () => ({
        id: 'refused2',
        host: '127.0.0.2',
        driver: 'tcp',
        tcp: { ports: [closedPort, closedPort] },
      }),
    },
  ],
});

describe('reachability plugin roles', () => {
  it('measures connect latency and writes it through the NDJSON sink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ispm-ndjson-'));
    const file = join(dir, 'samples.ndjson');
    const monitor = await createMonitor({
      plugins: [reachability({ ndjsonFile: file })],
      devices: [
        {
          id: 'r1',
          host: '127.0.0.1',
          driver: 'tcp',
          tcp: { ports: [closedPort, openPort] },
          interval: '1s',
        },
      ],
      sinks: { flushInterval: '100ms' },
      logger: createFakeLogger(),
    });
    await monitor.start();
    await monitor.bus.next('poll:success');
    await monitor.stop();
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const latency = lines.find((l) => l.name === 'tcp_connect_seconds');
    expect(latency.labels).toMatchObject({ device: 'r1', port: String(openPort) });
    expect(latency.value).toBeGreaterThan(0);
    expect(latency.value).toBeLessThan(1);
  });

  it('posts chat messages and asks for a retry only when retrying can help', async () => {
    const bodies: string[] = [];
    let status = 200;
    const http = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(status, status === 429 ? { 'retry-after': '7' } : {}).end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/hook`;
    const monitor = await createMonitor({
      plugins: [reachability({ chatWebhook: url })],
      logger: createFakeLogger(),
    });
    const notifier = monitor.resolve(NotifierToken);
    const n: Notification = {
      id: 'n1',
      receiver: 'chat',
      status: 'firing',
      groupKey: 'g',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      alerts: [
        {
          fingerprint: 'f',
          status: 'firing',
          labels: { alertname: 'DeviceDown', device: 'r1' },
          annotations: {},
          startsAt: 0,
        },
      ],
    };
    const signal = new AbortController().signal;
    expect(await notifier.send(n, { signal })).toEqual({ ok: true });
    expect(JSON.parse(bodies[0] as string).text).toBe('🔥 [FIRING] DeviceDown on r1');
    status = 429;
    expect(await notifier.send(n, { signal })).toMatchObject({ ok: false, retry: true, retryAfterMs: 7000 });
    status = 400;
    expect(await notifier.send(n, { signal })).toMatchObject({ ok: false, retry: false, error: 'HTTP 400' });
    await new Promise((r) => http.close(r));
    expect(await chatNotifier({ url }).send(n, { signal })).toMatchObject({ ok: false, retry: true });
    await monitor.stop();
  });
});
