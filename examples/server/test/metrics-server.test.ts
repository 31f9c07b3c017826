import { Bus } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetricsApp } from '../src/exporter/app.js';
import { DeviceMetrics } from '../src/exporter/device-metrics.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness;
let metrics: FastifyInstance;
let devices: DeviceMetrics;
beforeAll(async () => {
  h = await startHarness({
    devices: [
      { id: 'r1', host: '127.0.0.1', driver: 'lab', labels: { site: 'BEY' }, lab: { interfaces: 2 } },
      { id: 'r2', host: '127.0.0.2', driver: 'lab', lab: { interfaces: 1 } },
      { id: 'down', host: '127.0.0.3', driver: 'lab', lab: { fail: true } },
    ],
    start: false,
    interval: '1s',
  });
  devices = new DeviceMetrics(h.monitor.bus);
  metrics = await buildMetricsApp({ monitor: h.monitor, devices });
  await h.monitor.start();
  await waitFor(() => devices.has('r1') && devices.has('r2') && devices.has('down'), 10_000, 'first polls');
});
afterAll(async () => {
  await metrics.close();
  devices.close();
  await h.close();
});

describe('metrics server', () => {
  it('serves the monitor registry with HTTP metrics at /metrics', async () => {
    await h.app.inject({ url: '/api/v1/routers', headers: h.admin });
    await h.app.inject({ url: '/api/v1/routers/zzz', headers: h.admin });
    const text = (await metrics.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/ispmonitor_routers_total\{status="online"\} 2/);
    expect(text).toMatch(
      /ispmonitor_http_requests_total\{method="GET",route="\/api\/v1\/routers",status="200"\} 1/,
    );
    expect(text).toMatch(
      /ispmonitor_http_requests_total\{method="GET",route="\/api\/v1\/routers\/:id",status="404"\} 1/,
    );
    expect(text).toMatch(/ispmonitor_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/ispmonitor_license_valid 1/);
  });

  it('serves one device per scrape with ?target=, exact 64-bit counters, and 404 for unknown devices', async () => {
    const r = await metrics.inject({ url: '/metrics/devices?target=r1' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/plain; version=0.0.4/);
    expect(r.body).toMatch(/# TYPE interface_in_octets_total counter/);
    expect(r.body).toMatch(/interface_in_octets_total\{device="r1",if_name="ether2",site="BEY"\} \d{16,}/);
    expect(r.body).not.toMatch(/device="r2"/);
    expect((await metrics.inject({ url: '/metrics/devices?target=nope' })).statusCode).toBe(404);
    // An unreachable device is scraped too: its device_up is 0.
    expect((await metrics.inject({ url: '/metrics/devices?target=down' })).body).toMatch(
      /^device_up\{device="down"\} 0$/m,
    );
  });

  it('serves all devices with each family grouped once', async () => {
    const body = (await metrics.inject({ url: '/metrics/devices' })).body;
    expect(body.match(/# TYPE device_up gauge/g)).toHaveLength(1);
    const upLines = body.split('\n').filter((l) => l.startsWith('device_up{'));
    expect(upLines.map((l) => l.match(/device="([^"]+)"/)?.[1]).sort()).toEqual(['down', 'r1', 'r2']);
    // Families are contiguous: once a family's lines end, its name never shows again.
    const seen = new Set<string>();
    let current = '';
    for (const line of body.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const name = line.slice(0, line.indexOf('{'));
      if (name !== current) {
        expect(seen.has(name), name).toBe(false);
        seen.add(name);
        current = name;
      }
    }
  });

  it("keeps a poll's series when a plugin adds samples between polls; the next poll replaces all", () => {
    const failures: unknown[] = [];
    const bus = new Bus((_event, err) => failures.push(err));
    const dm = new DeviceMetrics(bus);
    const device = { id: 'x', host: '127.0.0.1', driver: 'lab' };
    const labels = { device: 'x' };
    const poll = (cpu: number) =>
      bus.emit('samples', {
        device,
        samples: [
          { name: 'device_up', labels, value: 1, ts: 0 },
          { name: 'device_cpu_load_ratio', labels, value: cpu, ts: 0 },
        ],
      });
    poll(0.5);
    // Not a poll (no device_up): a recorder's count for the same device.
    bus.emit('samples', {
      device,
      samples: [{ name: 'subscriber_reconnects_total', labels, value: 3, ts: 0 }],
    });
    let text = dm.renderDevice('x')?.toString() ?? '';
    expect(text).toContain('device_up{device="x"} 1\n');
    expect(text).toContain('device_cpu_load_ratio{device="x"} 0.5\n');
    expect(text).toContain('subscriber_reconnects_total{device="x"} 3\n');
    poll(0.25);
    text = dm.renderDevice('x')?.toString() ?? '';
    expect(text).toContain('device_cpu_load_ratio{device="x"} 0.25\n');
    expect(text).not.toContain('subscriber_reconnects_total');
    expect(failures).toEqual([]);
    dm.close();
  });

  it('escapes hostile label values so the exposition stays parseable', () => {
    const dm = new DeviceMetrics();
    dm.update('x', [{ name: 'device_up', labels: { device: 'x', 'bad-key': 'a"b\\c\nd' }, value: 1, ts: 0 }]);
    expect(dm.renderDevice('x')?.toString()).toContain('device_up{bad_key="a\\"b\\\\c\\nd",device="x"} 1\n');
  });

  it('streams all devices in chunks of whole lines, multi-byte text intact, same bytes as one chunk', () => {
    const dm = new DeviceMetrics();
    for (let i = 0; i < 50; i++) {
      dm.update(`d${i}`, [
        { name: 'device_up', labels: { device: `d${i}`, site: 'Zahlé — ü' }, value: 1, ts: 0 },
        { name: 'interface_oper_up', labels: { device: `d${i}`, ifName: 'ether1' }, value: 1, ts: 0 },
      ]);
    }
    const small = [...dm.chunks(256)];
    const whole = [...dm.chunks(1 << 30)];
    expect(whole).toHaveLength(1);
    expect(small.length).toBeGreaterThan(10);
    for (const c of small) {
      expect(c.length).toBeLessThan(256 + 200);
      expect(c.at(-1)).toBe(0x0a);
    }
    expect(Buffer.concat(small).equals(whole[0] as Buffer)).toBe(true);
    expect(whole[0]?.toString()).toContain('device_up{device="d7",site="Zahlé — ü"} 1\n');
  });

  it('lists devices for Prometheus HTTP service discovery', async () => {
    const sd = (await metrics.inject({ url: '/sd/devices' })).json();
    expect(sd).toHaveLength(3);
    expect(sd[0]).toEqual({
      targets: ['r1'],
      labels: expect.objectContaining({
        __meta_ispmonitor_device: 'r1',
        __meta_ispmonitor_label_site: 'BEY',
        __meta_ispmonitor_driver: 'lab',
      }),
    });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: h.admin,
      payload: { id: 'r4', host: '127.0.0.4', driver: 'lab' },
    });
    expect((await metrics.inject({ url: '/sd/devices' })).json()).toHaveLength(4);
  });

  it('wants a bearer token when one is configured', async () => {
    const locked = await buildMetricsApp({ monitor: h.monitor, devices, token: 'a-long-metrics-token' });
    expect((await locked.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await locked.inject({ url: '/metrics', headers: { authorization: 'Bearer a-long-metrics-token' } }))
        .statusCode,
    ).toBe(200);
    await locked.close();
  });
});
