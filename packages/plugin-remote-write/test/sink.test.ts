import type { Sample } from '@ispmonitor/core';
import type { FakeClock } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeReceiver, startFakeReceiver } from './support/fake-receiver.js';
import { makeSink, metricValue } from './support/sink.js';

const T0 = Date.UTC(2026, 11, 5, 10);
let receiver: FakeReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const sample = (
  device: string,
  value: number | bigint,
  ts: number,
  name = 'interface_in_octets_total',
): Sample => ({
  name,
  labels: { device, ifName: 'ether1' },
  value,
  ts,
});

describe('remote-write sink against a local receiver', () => {
  it('sends poll timestamps, labels and values (bigint as float64), with the protocol and auth headers', async () => {
    receiver = await startFakeReceiver();
    const { sink, registry } = makeSink({
      targets: [
        { url: receiver.url, auth: { username: 'u', password: 'p' }, headers: { 'X-Scope-OrgID': 'isp-a' } },
      ],
    });
    const big = 2n ** 64n - 1n;
    await sink.write([
      sample('r1', 1.5, T0 - 1234),
      sample('r2', big, T0 - 7),
      sample('r1', 2.5, T0 + 60_000),
    ]);
    expect(receiver.accepted()).toEqual(
      expect.arrayContaining([
        {
          name: 'interface_in_octets_total',
          labels: { device: 'r1', if_name: 'ether1' },
          value: 1.5,
          ts: T0 - 1234,
        },
        {
          name: 'interface_in_octets_total',
          labels: { device: 'r1', if_name: 'ether1' },
          value: 2.5,
          ts: T0 + 60_000,
        },
        {
          name: 'interface_in_octets_total',
          labels: { device: 'r2', if_name: 'ether1' },
          value: Number(big),
          ts: T0 - 7,
        },
      ]),
    );
    expect(receiver.accepted()).toHaveLength(3);
    const h = receiver.requests[0]?.headers ?? {};
    expect(h['content-encoding']).toBe('snappy');
    expect(h['content-type']).toBe('application/x-protobuf');
    expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(h['x-scope-orgid']).toBe('isp-a');
    expect(h.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_total')).toBe(3);
    expect(await metricValue(registry, 'ispmonitor_remote_write_highest_sent_timestamp_seconds')).toBe(
      (T0 + 60_000) / 1000,
    );
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_pending')).toBe(0);
    await sink.close();
  });

  it('sends a bearer token; keeps each series in one shard, in time order, within maxSamplesPerSend', async () => {
    receiver = await startFakeReceiver();
    const { sink } = makeSink({
      targets: [{ url: receiver.url, auth: { bearer: 'tok' } }],
      shards: 3,
      maxSamplesPerSend: 7,
    });
    const batch: Sample[] = [];
    for (let i = 20; i > 0; i--) for (let d = 0; d < 5; d++) batch.push(sample(`r${d}`, i, T0 - i * 1000));
    await sink.write(batch);
    expect(receiver.requests.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true);
    expect(receiver.requests.every((r) => r.series.reduce((n, s) => n + s.samples.length, 0) <= 7)).toBe(
      true,
    );
    const got = receiver.accepted();
    expect(got).toHaveLength(100);
    for (let d = 0; d < 5; d++) {
      const ts = got.filter((s) => s.labels.device === `r${d}`).map((s) => s.ts);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    await sink.close();
  });

  it('does not retry a 400: counts the samples as failed and logs each cause once', async () => {
    receiver = await startFakeReceiver((series) =>
      series.some((s) => s.labels.some((l) => l.value === 'bad'))
        ? { status: 400, body: 'out of bounds\nmore detail' }
        : { status: 204 },
    );
    const { sink, registry, logger } = makeSink({
      targets: [{ url: receiver.url }],
      shards: 1,
      maxSamplesPerSend: 2,
    });
    await sink.write([
      sample('bad', 1, T0),
      sample('bad', 2, T0 + 1),
      sample('ok', 3, T0),
      sample('bad', 4, T0 + 2),
    ]);
    await sink.write([sample('bad', 5, T0 + 3)]);
    // [bad 1, bad 2], [bad 4, ok 3] (a refused request refuses all it holds), [bad 5]
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.accepted()).toEqual([]);
    expect(
      await metricValue(registry, 'ispmonitor_remote_write_samples_failed_total', { reason: 'http_400' }),
    ).toBe(5);
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_retried_total')).toBeUndefined();
    const logged = logger.records.filter((r) => r.msg.includes('refused'));
    expect(logged).toHaveLength(1);
    expect(logged[0]?.fields).toMatchObject({ status: 400, cause: 'out of bounds' });
    await sink.close();
  });

  it('honours Retry-After on 429, then backs off on 503, and sends each sample once accepted', async () => {
    const script = [
      { status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' },
      { status: 503, body: 'unavailable' },
      { status: 503, body: 'unavailable' },
    ];
    receiver = await startFakeReceiver(() => script.shift() ?? { status: 204 });
    const { sink, clock, registry } = makeSink({
      targets: [{ url: receiver.url }],
      minBackoff: '100ms',
      maxBackoff: '1s',
    });
    const fake = clock as FakeClock;
    const r = receiver;
    const done = sink.write([sample('r1', 1, T0)]);
    await vi.waitFor(() => expect(r.requests).toHaveLength(1));
    await fake.advance(6_999);
    expect(r.requests).toHaveLength(1);
    await fake.advance(1);
    await vi.waitFor(() => expect(r.requests).toHaveLength(2));
    await fake.advance(199); // 2nd backoff is 200 ms
    expect(r.requests).toHaveLength(2);
    await fake.advance(1);
    await vi.waitFor(() => expect(r.requests).toHaveLength(3));
    await fake.advance(400);
    await done;
    expect(r.requests).toHaveLength(4);
    expect(r.accepted()).toHaveLength(1);
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_retried_total')).toBe(3);
    expect(sink.state.failures).toBe(0);
    await sink.close();
  });

  it('cuts a Retry-After to maxRetryAfter', async () => {
    const script = [{ status: 429, headers: { 'Retry-After': '86400' } }];
    receiver = await startFakeReceiver(() => script.shift() ?? { status: 204 });
    const { sink, clock } = makeSink({ targets: [{ url: receiver.url }], maxRetryAfter: '10s' });
    const r = receiver;
    const done = sink.write([sample('r1', 1, T0)]);
    await vi.waitFor(() => expect(r.requests).toHaveLength(1));
    await (clock as FakeClock).advance(10_000);
    await done;
    expect(r.accepted()).toHaveLength(1);
    await sink.close();
  });

  it('drops samples older than spool.maxAge, counted', async () => {
    receiver = await startFakeReceiver();
    const { sink, registry } = makeSink({ targets: [{ url: receiver.url }], spool: { maxAge: '1h' } });
    await sink.write([sample('r1', 1, T0 - 3_600_001), sample('r1', 2, T0 - 3_600_000)]);
    expect(receiver.accepted().map((s) => s.value)).toEqual([2]);
    expect(
      await metricValue(registry, 'ispmonitor_remote_write_samples_dropped_total', { reason: 'too_old' }),
    ).toBe(1);
    await sink.close();
  });

  it('rejects a write cut short by close, so the monitor keeps the batch', async () => {
    receiver = await startFakeReceiver(() => ({ status: 500 }));
    const { sink, registry } = makeSink({ targets: [{ url: receiver.url }] });
    const r = receiver;
    const done = sink.write([sample('r1', 1, T0)]);
    await vi.waitFor(() => expect(r.requests).toHaveLength(1));
    await sink.close();
    await expect(done).rejects.toThrow(/1 samples unsent/);
    expect(await metricValue(registry, 'ispmonitor_remote_write_samples_pending')).toBe(0);
  });

  it('retries while the receiver is unreachable', async () => {
    receiver = await startFakeReceiver();
    const url = receiver.url;
    await receiver.close();
    const { sink, clock, registry } = makeSink({ targets: [{ url }], minBackoff: '1s', maxBackoff: '1s' });
    const done = sink.write([sample('r1', 1, T0)]);
    await vi.waitFor(async () =>
      expect(
        await metricValue(registry, 'ispmonitor_remote_write_samples_retried_total'),
      ).toBeGreaterThanOrEqual(1),
    );
    expect(sink.state.lastError?.message).toMatch(/ECONNREFUSED/);
    await (clock as FakeClock).advance(1000);
    await sink.close();
    await expect(done).rejects.toThrow(/unsent/);
  });

  it('contains what a buggy driver sends: a NaN timestamp is dropped and counted, a number as label value sent as text', async () => {
    receiver = await startFakeReceiver();
    const { sink, registry } = makeSink({ targets: [{ url: receiver.url }] });
    await sink.write([
      { name: 'm', labels: { device: 'r1' }, value: 1, ts: Number.NaN },
      { name: 'm', labels: { device: 'r1', port: 8 as unknown as string }, value: 2, ts: T0 },
    ]);
    expect(receiver.accepted()).toEqual([
      { name: 'm', labels: { device: 'r1', port: '8' }, value: 2, ts: T0 },
    ]);
    expect(
      await metricValue(registry, 'ispmonitor_remote_write_samples_dropped_total', {
        reason: 'invalid_timestamp',
      }),
    ).toBe(1);
    await sink.close();
  });

  it('splits a write over no more shards than maxSamplesPerSend needs, each series in order', async () => {
    receiver = await startFakeReceiver();
    const { sink } = makeSink({ targets: [{ url: receiver.url }], shards: 4, maxSamplesPerSend: 6 });
    const batch: Sample[] = [];
    for (let poll = 0; poll < 2; poll++)
      for (let d = 0; d < 6; d++) batch.push(sample(`r${d}`, poll, T0 + poll * 60_000));
    await sink.write(batch);
    // 12 samples at 6 a request: 2 shards, so 2 or 3 requests (4 shards would send up to 4 small ones).
    expect(receiver.requests.length).toBeLessThanOrEqual(3);
    for (const r of receiver.requests) expect(r.series.length).toBeLessThanOrEqual(6);
    const got = receiver.accepted();
    expect(got).toHaveLength(12);
    for (let d = 0; d < 6; d++)
      expect(got.filter((s) => s.labels.device === `r${d}`).map((s) => s.ts)).toEqual([T0, T0 + 60_000]);
    await sink.close();
  });
});
