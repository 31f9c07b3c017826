// Alerts arrive in two shapes: core's AlertInstance (bus events, the server's fallback list) and
// the alerts plugin's view (state, ack, activeAt/firedAt/resolvedAt). The UI reads one shape.
import type { RE2JS } from 're2js';
import type { Alert, Silence } from './types.js';

type Raw = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const labels = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? (v as Record<string, string>) : {};

/** One alert in the UI's shape, whichever shape the server sent. */
export function normaliseAlert(raw: unknown): Alert {
  const a = (raw ?? {}) as Raw;
  const state = (a.status ?? a.state) as string | undefined;
  const ack = (a.acknowledged ?? a.ack) as { by?: string; at?: number; comment?: string } | undefined;
  const muted = a.muted as Alert['muted'];
  const out: Alert = {
    fingerprint: String(a.fingerprint ?? ''),
    status: state === 'resolved' ? 'resolved' : 'firing',
    pending: state === 'pending' || undefined,
    labels: labels(a.labels),
    annotations: labels(a.annotations),
    startsAt: num(a.startsAt) ?? num(a.firedAt) ?? num(a.activeAt) ?? Date.now(),
  };
  const end = num(a.endsAt) ?? num(a.resolvedAt);
  if (end !== undefined && out.status === 'resolved') out.endsAt = end;
  if (num(a.value) !== undefined) out.value = num(a.value);
  if (ack?.by)
    out.acknowledged = {
      by: ack.by,
      at: num(ack.at) ?? Date.now(),
      ...(ack.comment ? { comment: ack.comment } : {}),
    };
  if (muted && typeof muted === 'object') out.muted = muted;
  if (typeof a.rule === 'string' && !out.labels.alertname) out.labels = { alertname: a.rule, ...out.labels };
  return out;
}

/** A silence in the UI's shape (matcher `type` `=~`/`!=`… or isRegex/isEqual flags). */
export function normaliseSilence(raw: unknown): Silence {
  const s = (raw ?? {}) as Raw;
  const matchers = Array.isArray(s.matchers) ? (s.matchers as Raw[]) : [];
  return {
    id: String(s.id ?? ''),
    startsAt: num(s.startsAt) ?? 0,
    endsAt: num(s.endsAt) ?? 0,
    createdBy: String(s.createdBy ?? ''),
    comment: String(s.comment ?? ''),
    matchers: matchers.map((m) => {
      const type = typeof m.type === 'string' ? m.type : undefined;
      return {
        name: String(m.name ?? ''),
        value: String(m.value ?? ''),
        isRegex: type ? type.includes('~') : Boolean(m.isRegex),
        isEqual: type ? !type.startsWith('!') : m.isEqual !== false,
      };
    }),
  };
}

/** A matcher as operators write it: `device="bey-core-1"`, `alertname=~"Cpu.*"`. */
export function matcherText(m: Silence['matchers'][number]): string {
  const op = `${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}`;
  return `${m.name}${op === '!' ? '!=' : op}"${m.value}"`;
}

/** Labels shown in their own columns or implied by the router: not repeated under the name. */
const SHOWN = new Set(['alertname', 'severity', 'device', 'site', 'role', 'driver', 'uplinks']);

/** What tells apart alerts of one name on one router (a CPU, an interface, a sensor). */
export function extraLabels(a: Alert): string {
  return Object.entries(a.labels)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

type Matcher = Silence['matchers'][number];

/** The regex engine, once loaded. */
let engine: typeof RE2JS | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the regex engine: its own chunk (45 KB gzipped), fetched by the pages that match
 * silences, not by every first load. Until it is loaded, a regex matcher holds for nothing, so a
 * page loads it together with the silences it matches.
 */
export function loadRegexEngine(): Promise<void> {
  loading ??= import('re2js').then((m) => {
    engine = m.RE2JS;
  });
  return loading;
}

/** Compiled regexes by pattern (null: RE2 refuses it). Patterns come from silences: few, reused. */
const compiled = new Map<string, RE2JS | null>();
const MAX_COMPILED = 500;

/**
 * The pattern compiled as the server and the alerts plugin compile it: RE2 (linear time, so a
 * pattern cannot hang the page on a long label), no lookaround or backreferences.
 */
function re2(pattern: string): RE2JS | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    if (!engine) return null;
    try {
      re = engine.compile(pattern);
    } catch {
      re = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * Whether one matcher holds for a set of labels (a missing label is ""; regexes are anchored, a
 * whole-value match as in Prometheus). A regex RE2 refuses holds for nothing: the server refuses
 * such a silence, so none is active.
 */
export function matcherHolds(m: Matcher, labels: Record<string, string>): boolean {
  const value = labels[m.name] ?? '';
  let hit: boolean;
  if (m.isRegex) {
    const re = re2(m.value);
    if (!re) return false;
    hit = re.matches(value);
  } else hit = value === m.value;
  return m.isEqual === false ? !hit : hit;
}

/** The first silence active at `now` whose matchers all hold for the alert's labels. */
export function silenceFor(a: Alert, silences: readonly Silence[], now: number): Silence | undefined {
  return silences.find(
    (s) => s.startsAt <= now && now < s.endsAt && s.matchers.every((m) => matcherHolds(m, a.labels)),
  );
}

/** What a silence can cover, narrowest first. */
export type SilenceScope = 'alert' | 'interface' | 'router' | 'site';

/** Which scopes make sense for an alert: an interface needs `ifName`, a site needs `site`. */
export function scopesFor(a: Alert): SilenceScope[] {
  const out: SilenceScope[] = ['alert'];
  if (a.labels.device && a.labels.ifName) out.push('interface');
  if (a.labels.device) out.push('router');
  if (a.labels.site) out.push('site');
  return out;
}

/**
 * The matchers of a silence of `scope` around an alert: `alert` is its exact label set (but its
 * severity), `interface` is device + ifName, `router` the device, `site` the site label. With
 * `sameName` a wider scope is narrowed to alerts of the same name.
 */
export function scopeMatchers(a: Alert, scope: SilenceScope, sameName = false): Matcher[] {
  const eq = (name: string): Matcher => ({
    name,
    value: a.labels[name] ?? '',
    isEqual: true,
    isRegex: false,
  });
  let names: string[];
  if (scope === 'alert')
    names = Object.keys(a.labels)
      .filter((k) => k !== 'severity')
      .sort();
  else if (scope === 'interface') names = ['device', 'ifName'];
  else if (scope === 'router') names = ['device'];
  else names = ['site'];
  if (sameName && scope !== 'alert' && a.labels.alertname) names = ['alertname', ...names];
  return names.filter((n) => a.labels[n] !== undefined).map(eq);
}

/** Distinct matcher sets (one silence each) for many alerts at one scope. */
export function bulkMatchers(alerts: readonly Alert[], scope: SilenceScope, sameName = false): Matcher[][] {
  const seen = new Map<string, Matcher[]>();
  for (const a of alerts) {
    const ms = scopeMatchers(a, scope, sameName);
    if (ms.length === 0) continue;
    seen.set(ms.map(matcherText).join(','), ms);
  }
  return [...seen.values()];
}

/** Whether someone has taken the alert in hand: acknowledged, or silenced. */
export function handled(a: Alert, silences: readonly Silence[], now: number): boolean {
  return Boolean(a.acknowledged) || silenceFor(a, silences, now) !== undefined;
}

/**
 * The triage order: alerts nobody has taken in hand first (not acknowledged, not silenced), then by
 * severity (critical first), then the newest first. Returns a new array.
 */
export function triageOrder(
  alerts: readonly Alert[],
  silences: readonly Silence[],
  now: number,
  rank: (severity: string | undefined) => number,
): Alert[] {
  const key = new Map(alerts.map((a) => [a, handled(a, silences, now) ? 1 : 0]));
  return [...alerts].sort(
    (a, b) =>
      (key.get(a) ?? 0) - (key.get(b) ?? 0) ||
      rank(a.labels.severity) - rank(b.labels.severity) ||
      b.startsAt - a.startsAt,
  );
}

/** Who did something, as people read it: `user:anna` → `anna` (API keys keep their `key:` prefix). */
export function actorName(by: string): string {
  return by.replace(/^user:/, '');
}

/** A clock time for "until …": `14:05` today, `Dec 6 14:05` on another day. */
export function clockTime(ts: number, now: number): string {
  const d = new Date(ts);
  const time = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.toLocaleDateString('en', { month: 'short', day: 'numeric' })} ${time}`;
}
