/** The alerts page's logic and the overview's up share, in Node: order, silence matching, scopes. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bulkMatchers,
  clockTime,
  loadRegexEngine,
  matcherHolds,
  scopeMatchers,
  scopesFor,
  silenceFor,
  triageOrder,
} from '../ui/src/lib/alerts.js';
import { severityRank } from '../ui/src/lib/format.js';
import type { Alert, Silence } from '../ui/src/lib/types.js';
import { upShare } from '../ui/src/pages/overview-data.js';

const alert = (fp: string, labels: Record<string, string>, extra: Partial<Alert> = {}): Alert => ({
  fingerprint: fp,
  status: 'firing',
  labels: { alertname: 'PortWatch', severity: 'warning', ...labels },
  annotations: {},
  startsAt: 1_000,
  ...extra,
});
const silence = (matchers: Silence['matchers'], endsAt = 10_000): Silence => ({
  id: matchers.map((m) => m.value).join('/'),
  matchers,
  startsAt: 0,
  endsAt,
  createdBy: 'user:anna',
  comment: 'why',
});

describe('alerts page logic', () => {
  // The alerts page loads the regex engine with the silences it matches.
  beforeAll(() => loadRegexEngine());
  const a1e1 = alert('a1e1', { device: 'a1', ifName: 'ether1', site: 'ALPHA' });
  const a1e2 = alert('a1e2', { device: 'a1', ifName: 'ether2', site: 'ALPHA' });
  const b1e1 = alert('b1e1', { device: 'b1', ifName: 'ether1', site: 'BETA', severity: 'critical' });

  it('an interface silence matches that interface only; regexes are anchored; != and !~ negate', () => {
    const one = silence([
      { name: 'device', value: 'a1' },
      { name: 'ifName', value: 'ether2' },
    ]);
    expect([a1e1, a1e2, b1e1].map((a) => silenceFor(a, [one], 5_000)?.id)).toEqual([
      undefined,
      'a1/ether2',
      undefined,
    ]);
    // Outside its time it matches nothing.
    expect(silenceFor(a1e2, [one], 10_000)).toBeUndefined();
    expect(matcherHolds({ name: 'device', value: 'a', isRegex: true }, { device: 'a1' })).toBe(false);
    expect(matcherHolds({ name: 'device', value: 'a.*', isRegex: true }, { device: 'a1' })).toBe(true);
    expect(matcherHolds({ name: 'site', value: 'ALPHA', isEqual: false }, { site: 'BETA' })).toBe(true);
    expect(
      matcherHolds({ name: 'site', value: 'B.*', isRegex: true, isEqual: false }, { site: 'BETA' }),
    ).toBe(false);
    expect(matcherHolds({ name: 'x', value: '(', isRegex: true }, { x: '(' })).toBe(false);
  });

  it('scopes: alert (its labels but severity), interface, router, site; one silence per distinct target', () => {
    expect(scopesFor(a1e1)).toEqual(['alert', 'interface', 'router', 'site']);
    expect(scopesFor(alert('m', {}))).toEqual(['alert']);
    expect(scopeMatchers(a1e1, 'interface').map((m) => `${m.name}=${m.value}`)).toEqual([
      'device=a1',
      'ifName=ether1',
    ]);
    expect(scopeMatchers(a1e1, 'router', true).map((m) => m.name)).toEqual(['alertname', 'device']);
    expect(scopeMatchers(a1e1, 'alert').map((m) => m.name)).toEqual([
      'alertname',
      'device',
      'ifName',
      'site',
    ]);
    expect(bulkMatchers([a1e1, a1e2, b1e1], 'router')).toHaveLength(2);
    expect(bulkMatchers([a1e1, a1e2, b1e1], 'site')).toHaveLength(2);
    expect(bulkMatchers([a1e1, a1e2, b1e1], 'interface')).toHaveLength(3);
  });

  it('triage order: nobody-on-it first, then severity, then newest', () => {
    const acked = alert(
      'acked',
      { device: 'a2', severity: 'critical' },
      { acknowledged: { by: 'x', at: 1 } },
    );
    const silenced = alert('silenced', { device: 'a1', ifName: 'ether2', severity: 'critical' });
    const newer = alert('newer', { device: 'a2' }, { startsAt: 2_000 });
    const s = silence([{ name: 'ifName', value: 'ether2' }]);
    const order = triageOrder([acked, silenced, a1e1, newer, b1e1], [s], 5_000, severityRank).map(
      (a) => a.fingerprint,
    );
    expect(order).toEqual(['b1e1', 'newer', 'a1e1', 'acked', 'silenced']);
  });

  it('"until" reads as a clock time today, with the date on another day', () => {
    const now = new Date(2026, 11, 5, 8, 0).getTime();
    expect(clockTime(new Date(2026, 11, 5, 14, 5).getTime(), now)).toBe('14:05');
    expect(clockTime(new Date(2026, 11, 6, 9, 0).getTime(), now)).toBe('Dec 6 09:00');
  });
});

describe('overview up share', () => {
  it('counts unreachable, down and unknown against up, and never rounds up to 100 %', () => {
    expect(upShare({ online: 507, unknown: 1 })).toMatchObject({ text: '99.8%' });
    expect(upShare({ online: 9_999, offline: 1 })).toMatchObject({ text: '99.9%' });
    expect(upShare({ online: 99_999, unreachable: 1 })).toMatchObject({ text: '99.9%' });
    expect(upShare({ online: 500 })).toMatchObject({ text: '100%', ratio: 1 });
    expect(upShare({ online: 1, offline: 1, unreachable: 1, unknown: 1 })).toMatchObject({
      text: '25%',
      ratio: 0.25,
    });
    expect(upShare({})).toMatchObject({ text: '–', ratio: undefined });
  });
});
