/**
 * One regex engine for silences everywhere (issue 21, finding 9): the alerts plugin matches with
 * RE2; the server's silence check and the UI's preview use the same semantics (the plugin's
 * `labelMatcher`, and re2js in the UI), so a pattern means the same thing in all three, and no
 * pattern can make matching take more than linear time.
 */
import { labelMatcher } from '@ispmonitor/plugin-alerts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegexEngine, matcherHolds } from '../ui/src/lib/alerts.js';
import { type AlertsFixture, adminHeaders as admin, startAlertsFixture } from './support/alerts-fixture.js';
import { waitFor } from './support/harness.js';

let fixture: AlertsFixture;
let app: FastifyInstance;
beforeAll(async () => {
  // The page loads the engine with the silences; so does this test.
  await loadRegexEngine();
  fixture = await startAlertsFixture();
  ({ app } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

const silence = (value: string, comment = 'regex test') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/silences',
    headers: admin,
    payload: { matchers: [{ name: 'device', value, isRegex: true }], endsAt: '+1h', comment },
  });

describe('silence regexes through the API', () => {
  it.each([
    ['(a)\\1', /invalid escape sequence/],
    ['(?=a1)a1', /unsupported Perl syntax/],
    ['(?!b).*1', /unsupported Perl syntax/],
    ['a(', /missing closing \)/],
  ])('%s (JavaScript syntax RE2 lacks, or broken) is a 400 that says why', async (value, why) => {
    const r = await silence(value);
    expect(r.statusCode).toBe(400);
    const body = r.json() as { message: string; code?: string };
    expect(body.message).toContain(`matcher device: "${value}" is not a valid regular expression`);
    expect(body.message).toMatch(why);
    expect(body.message).toMatch(/RE2 syntax/);
  });

  it('a pattern JavaScript refuses but RE2 takes ((?i) flags) is accepted, and silences what the UI previews', async () => {
    // Before: the server checked with JavaScript's RegExp and refused it, while the plugin takes it.
    const pattern = '(?i)A1';
    expect(() => new RegExp(`^(?:${pattern})$`)).toThrow(SyntaxError);
    const r = await silence(pattern, 'case-insensitive');
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json() as { id: string }).id;
    type View = { labels: Record<string, string>; muted?: { kind: string; id?: string } };
    const alerts = async () =>
      (
        (await app.inject({ url: '/api/v1/alerts?status=firing', headers: admin })).json() as {
          items: View[];
        }
      ).items;
    await waitFor(
      async () => (await alerts()).some((a) => a.muted?.id === id),
      10_000,
      'the silence muting a1',
    );
    const matcher = { name: 'device', value: pattern, isRegex: true };
    for (const a of await alerts()) {
      const server = a.muted?.kind === 'silence' && a.muted.id === id;
      expect(server, a.labels.device).toBe(a.labels.device === 'a1');
      // The UI's preview agrees with what the plugin did.
      expect(matcherHolds(matcher, a.labels)).toBe(server);
    }
    await app.inject({ method: 'DELETE', url: `/api/v1/silences/${id}`, headers: admin });
  });
});

describe('one semantics in the plugin, the server and the UI', () => {
  // [value, isRegex, isEqual, label value, holds]
  const cases: Array<[string, boolean, boolean, string, boolean]> = [
    ['a.*', true, true, 'a1', true],
    ['a', true, true, 'a1', false], // anchored: a whole-value match
    ['a|b1', true, true, 'b1', true],
    ['(?i)BEY-.*', true, true, 'bey-core-1', true],
    ['\\d+', true, true, '42', true],
    ['\\d+', true, false, '42', false],
    ['ether1', false, true, 'ether1', true],
    ['ether1', false, false, 'ether2', true],
    ['', true, true, '', true],
  ];
  it.each(cases)('%s (regex %s, equal %s) on "%s" → %s', (value, isRegex, isEqual, label, want) => {
    const m = { name: 'x', value, isRegex, isEqual };
    expect(labelMatcher(m)(label)).toBe(want);
    expect(matcherHolds(m, { x: label })).toBe(want);
  });

  it('ReDoS-shaped patterns run in linear time on a long router-supplied label', () => {
    // A backtracking engine takes about 2^n steps for these on n "a"s that do not match: with
    // n = 100,000 it would never return. RE2 returns; nothing here measures time.
    const label = `${'a'.repeat(100_000)}!`;
    for (const value of ['(a+)+b', '(a|aa)*c', '(a*)*$x', '(.*a){20}z']) {
      const m = { name: 'device', value, isRegex: true };
      expect(labelMatcher(m)(label)).toBe(false);
      expect(matcherHolds(m, { device: label })).toBe(false);
    }
  });

  it('the API takes a ReDoS-shaped silence (it is harmless under RE2)', async () => {
    const r = await silence('(a+)+b', 'redos shape');
    expect(r.statusCode, r.body).toBe(201);
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/silences/${(r.json() as { id: string }).id}`,
      headers: admin,
    });
  });
});
