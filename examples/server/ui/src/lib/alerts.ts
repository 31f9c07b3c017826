// Alerts arrive in two shapes: core's AlertInstance (bus events, the server's fallback list) and
// the alerts plugin's view (state, ack, activeAt/firedAt/resolvedAt). The UI reads one shape.
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
const SHOWN = new Set(['alertname', 'severity', 'device', 'site', 'role', 'driver']);

/** What tells apart alerts of one name on one router (a CPU, an interface, a sensor). */
export function extraLabels(a: Alert): string {
  return Object.entries(a.labels)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
