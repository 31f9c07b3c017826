/**
 * Alerts as a team, through the API: acknowledgements with a note (who, when) and their removal,
 * bulk acknowledgement, silences on any label set with a required reason, one set of totals
 * (pending is never firing), and every change on the event stream.
 */
import { request } from 'node:http';
import type { Monitor } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertsFixture, adminHeaders as admin, startAlertsFixture } from './support/alerts-fixture.js';
import { waitFor } from './support/harness.js';

interface View {
  fingerprint: string;
  state: string;
  labels: Record<string, string>;
  ack?: { by: string; at: number; comment: string };
  muted?: { kind: string; id?: string };
}

/** An open event stream: the events it received so far, in order. */
function openStream(url: string) {
  const events: Array<{ event: string; data: unknown }> = [];
  let buffer = '';
  const req = request(`${url}/api/v1/events`, { headers: admin }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf('\n\n');
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    events,
    of: (name: string) =>
      events.filter((e) => e.event === name).map((e) => e.data as Record<string, unknown>),
    close: () => req.destroy(),
  };
}

let fixture: AlertsFixture;
let monitor: Monitor;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  fixture = await startAlertsFixture();
  ({ monitor, app, url } = fixture);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

async function list(status?: string): Promise<View[]> {
  const r = await app.inject({ url: `/api/v1/alerts${status ? `?status=${status}` : ''}`, headers: admin });
  return (r.json() as { items: View[] }).items;
}
const port = (items: View[], device: string, ifName: string) =>
  items.find((a) => a.labels.device === device && a.labels.ifName === ifName) as View;

describe('alerts as a team (API)', () => {
  it('counts agree: pending is not firing, in the totals endpoint and the stream hello', async () => {
    const r = await app.inject({ url: '/api/v1/alerts/counts', headers: admin });
    expect(r.statusCode).toBe(200);
    const counts = r.json() as { firing: number; pending: number; bySeverity: Record<string, number> };
    expect(counts.firing).toBe(6);
    expect(counts.pending).toBe(3);
    // The pending CPU alerts are critical, yet no critical alert is firing.
    expect(counts.bySeverity).toEqual({ warning: 6 });
    const stream = openStream(url);
    try {
      await waitFor(() => stream.of('hello').length === 1, 5_000, 'hello');
      const hello = stream.of('hello')[0] as { alerts: typeof counts; overload: { overloaded: boolean } };
      expect(hello.alerts.firing).toBe(6);
      expect(hello.alerts.pending).toBe(3);
      // Whatever this busy machine's monitor says of itself: a state, never absent.
      expect(typeof hello.overload.overloaded).toBe('boolean');
    } finally {
      stream.close();
    }
  });

  it('a silence needs a reason (clear 400) and a matcher that names something', async () => {
    const base = { matchers: [{ name: 'device', value: 'a1' }], endsAt: '+1h' };
    for (const comment of [undefined, '', '   ']) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        headers: admin,
        payload: comment === undefined ? base : { ...base, comment },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(/needs a reason/);
    }
    const wide = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: admin,
      payload: { matchers: [{ name: 'site', value: '.*', isRegex: true }], endsAt: '+1h', comment: 'all' },
    });
    expect(wide.statusCode).toBe(400);
    expect(wide.json().message).toMatch(/must name what it covers/);
  });

  it('ack with a note, unack, bulk ack, label-set silences and expiry: each on the stream', async () => {
    const stream = openStream(url);
    try {
      await waitFor(() => stream.of('hello').length === 1, 5_000, 'hello');
      const firing = await list('firing');
      const a1e2 = port(firing, 'a1', 'ether2');

      // Acknowledge with a note: who and when recorded, announced.
      const ack = await app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${a1e2.fingerprint}/ack`,
        headers: admin,
        payload: { comment: '  on it, ticket 77 ' },
      });
      expect(ack.statusCode).toBe(200);
      const acked = ack.json() as View;
      expect(acked.ack?.comment).toBe('on it, ticket 77');
      expect(acked.ack?.by).toMatch(/^key:/);
      await waitFor(() => stream.of('alert:acknowledged').length === 1, 5_000, 'ack event');
      const ackEvent = stream.of('alert:acknowledged')[0] as { fingerprint: string; ack: View['ack'] };
      expect(ackEvent.fingerprint).toBe(a1e2.fingerprint);
      expect(ackEvent.ack?.comment).toBe('on it, ticket 77');
      expect(typeof ackEvent.ack?.at).toBe('number');

      // Unacknowledge: gone, announced; a second time is a 404.
      const un = await app.inject({
        method: 'DELETE',
        url: `/api/v1/alerts/${a1e2.fingerprint}/ack`,
        headers: admin,
      });
      expect(un.statusCode).toBe(204);
      expect(port(await list('firing'), 'a1', 'ether2').ack).toBeUndefined();
      await waitFor(() => stream.of('alert:unacknowledged').length === 1, 5_000, 'unack event');
      const again = await app.inject({
        method: 'DELETE',
        url: `/api/v1/alerts/${a1e2.fingerprint}/ack`,
        headers: admin,
      });
      expect(again.statusCode).toBe(404);

      // Bulk: the two BETA alerts and one unknown fingerprint.
      const beta = firing.filter((a) => a.labels.device === 'b1').map((a) => a.fingerprint);
      const bulk = await app.inject({
        method: 'POST',
        url: '/api/v1/alerts/ack',
        headers: admin,
        payload: { fingerprints: [...beta, 'feedfeedfeedfeed'], comment: 'site BETA power work' },
      });
      expect(bulk.statusCode).toBe(200);
      expect((bulk.json() as { acknowledged: View[] }).acknowledged).toHaveLength(2);
      expect((bulk.json() as { missing: string[] }).missing).toEqual(['feedfeedfeedfeed']);
      await waitFor(() => stream.of('alert:acknowledged').length === 3, 5_000, 'bulk ack events');

      // A silence on one interface covers that interface only.
      const one = await app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        headers: admin,
        payload: {
          matchers: [
            { name: 'device', value: 'a1' },
            { name: 'ifName', value: 'ether2' },
          ],
          endsAt: '+2h',
          comment: 'fibre cut, ticket 12',
        },
      });
      expect(one.statusCode).toBe(201);
      const silenceId = (one.json() as { id: string }).id;
      let now = await list('firing');
      expect(port(now, 'a1', 'ether2').muted).toEqual({ kind: 'silence', id: silenceId });
      expect(port(now, 'a1', 'ether1').muted).toBeUndefined();
      expect(port(now, 'a2', 'ether2').muted).toBeUndefined();
      await waitFor(() => stream.of('silence:created').length === 1, 5_000, 'silence event');
      const created = stream.of('silence:created')[0] as {
        silence: { id: string; createdBy: string; comment: string };
      };
      expect(created.silence.id).toBe(silenceId);
      expect(created.silence.createdBy).toMatch(/^key:/);
      expect(created.silence.comment).toBe('fibre cut, ticket 12');

      // One site: every alert of ALPHA's routers, none of BETA's.
      const site = await app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        headers: admin,
        payload: { matchers: [{ name: 'site', value: 'ALPHA' }], endsAt: '+1h', comment: 'site visit' },
      });
      expect(site.statusCode).toBe(201);
      const siteId = (site.json() as { id: string }).id;
      now = await list('firing');
      for (const a of now) {
        if (a.labels.site === 'ALPHA') expect(a.muted?.kind).toBe('silence');
        else expect(a.muted?.kind).not.toBe('silence');
      }
      // Totals: 6 firing; ALPHA's four silenced (the interface silence overlaps), BETA's two acked.
      await waitFor(
        () => stream.of('alerts:counts').some((c) => c.silenced === 4 && c.acknowledged === 2),
        5_000,
        'totals with silences and acks',
      );
      const totals = (await app.inject({ url: '/api/v1/alerts/counts', headers: admin })).json();
      expect(totals).toMatchObject({ firing: 6, pending: 3, acknowledged: 2, silenced: 4, unhandled: 0 });

      // Expire the site silence: announced with who expired it; its alerts are no longer silenced.
      const exp = await app.inject({ method: 'DELETE', url: `/api/v1/silences/${siteId}`, headers: admin });
      expect(exp.statusCode).toBe(204);
      await waitFor(() => stream.of('silence:expired').length === 1, 5_000, 'expiry event');
      const expired = stream.of('silence:expired')[0] as { silence: { id: string }; by: string };
      expect(expired.silence.id).toBe(siteId);
      expect(expired.by).toMatch(/^key:/);
      now = await list('firing');
      expect(port(now, 'a2', 'ether1').muted).toBeUndefined();
      expect(port(now, 'a1', 'ether2').muted?.kind).toBe('silence');
      const active = (await app.inject({ url: '/api/v1/silences', headers: admin })).json() as {
        items: Array<{ id: string }>;
      };
      expect(active.items.map((s) => s.id)).toEqual([silenceId]);
    } finally {
      stream.close();
    }
  }, 30_000);

  it('forwards monitor:overloaded and keeps it for the next hello', async () => {
    const stream = openStream(url);
    try {
      await waitFor(() => stream.of('hello').length === 1, 5_000, 'hello');
      const payload = { overloaded: true, lagMs: 1234, backlog: 56, reason: 'event loop lag 1234 ms', ts: 1 };
      monitor.bus.emit('monitor:overloaded', payload);
      // The monitor may report its own (real) overload changes meanwhile: look for ours.
      await waitFor(() => stream.of('monitor:overloaded').some((e) => e.ts === 1), 5_000, 'overload event');
      expect(stream.of('monitor:overloaded').find((e) => e.ts === 1)).toEqual(payload);
      const second = openStream(url);
      try {
        await waitFor(() => second.of('hello').length === 1, 5_000, 'second hello');
        const state = (second.of('hello')[0] as { overload: unknown }).overload;
        // The hello carries the latest state: ours, or a real change the first stream also saw.
        await waitFor(
          () => JSON.stringify(stream.of('monitor:overloaded').at(-1)) === JSON.stringify(state),
          5_000,
          'hello overload = latest event',
        );
      } finally {
        second.close();
      }
      monitor.bus.emit('monitor:overloaded', { ...payload, overloaded: false, reason: 'calm', ts: 2 });
    } finally {
      stream.close();
    }
  });
});
