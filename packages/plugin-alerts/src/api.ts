/**
 * The API object the server calls (resolve it with `monitor.resolve(alertsApi)`): list alerts,
 * acknowledge them, manage silences, count by severity.
 */
import { createToken, type Duration, type Labels, parseDuration } from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import { alertsError } from './errors.js';
import type { MatchersInput } from './matchers.js';
import type { Ack, MuteReason, Silence } from './suppress.js';

/** An alert as the API shows it. */
export interface AlertView {
  fingerprint: string;
  rule: string;
  state: 'pending' | 'firing' | 'resolved';
  flapping: boolean;
  labels: Labels;
  annotations: Labels;
  value?: number;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  /** Why it is not notified now, if it is not. */
  muted?: MuteReason;
  ack?: Ack;
}

/** Input of `silences.create` and `silences.update`. */
export interface SilenceInput {
  matchers: MatchersInput;
  /** Date string or epoch ms; default now. */
  startsAt?: number | string;
  endsAt: number | string;
  createdBy: string;
  comment?: string;
}

/** What the server can do with alerts. Methods reject with an Error whose message says what is wrong. */
export interface AlertsApi {
  /** Alerts by state; `resolved` lists recently resolved ones, newest first. */
  list(filter?: { state?: 'firing' | 'pending' | 'resolved' }): AlertView[];
  get(fingerprint: string): AlertView | undefined;
  /** Firing alerts by severity, and totals. */
  counts(): { firing: number; pending: number; bySeverity: Record<string, number> };
  /** Mutes an alert's notifications until `until` (epoch ms) or for `for`; default 4 h. */
  acknowledge(
    fingerprint: string,
    by: { by: string; until?: number; for?: Duration; comment?: string },
  ): Promise<Ack>;
  unacknowledge(fingerprint: string): Promise<boolean>;
  silences: {
    list(options?: { includeExpired?: boolean }): Silence[];
    get(id: string): Silence | undefined;
    create(input: SilenceInput): Promise<Silence>;
    update(id: string, input: SilenceInput): Promise<Silence>;
    /** Ends a silence now (kept for the record). */
    expire(id: string): Promise<boolean>;
    delete(id: string): Promise<boolean>;
  };
}

/** The token the alerts plugin provides its API under. */
export const alertsApi = createToken<AlertsApi>('ispmonitor.alerts.Api');

/** What the API needs from the plugin. */
export interface ApiDeps {
  now(): number;
  active(): Iterable<AlertRecord>;
  recent(): readonly AlertRecord[];
  /** Why a firing alert is muted; calls with the same `listing` object see the same alert set. */
  mute(a: AlertRecord, listing?: object): MuteReason | undefined;
  acks: Map<string, Ack>;
  putAck(ack: Ack | undefined, fingerprint: string): void;
  silences: Map<string, Silence>;
  makeSilence(input: SilenceInput & { id?: string }): Silence;
  putSilence(s: Silence): void;
  deleteSilence(id: string): void;
}

/** Builds the API over the plugin's state. */
export function createApi(d: ApiDeps): AlertsApi {
  const view = (a: AlertRecord, listing?: object): AlertView => {
    const v: AlertView = {
      fingerprint: a.fingerprint,
      rule: a.rule,
      state: a.visible && a.state === 'resolved' ? 'firing' : a.state,
      flapping: a.flapping,
      labels: a.labels,
      annotations: a.annotations,
      activeAt: a.activeAt,
    };
    if (a.value !== undefined) v.value = a.value;
    if (a.firedAt !== undefined) v.firedAt = a.firedAt;
    if (a.resolvedAt !== undefined && a.state === 'resolved' && !a.visible) v.resolvedAt = a.resolvedAt;
    if (v.state === 'firing') {
      const m = d.mute(a, listing);
      if (m) v.muted = m;
    }
    const ack = d.acks.get(a.fingerprint);
    if (ack && ack.until > d.now()) v.ack = ack;
    return v;
  };
  const find = (fp: string) => [...d.active()].find((a) => a.fingerprint === fp);
  return {
    list(filter) {
      const out: AlertView[] = [];
      // One listing, one alert set: inhibition sources are indexed once, not once per alert.
      const listing = {};
      if (filter?.state !== 'resolved') for (const a of d.active()) out.push(view(a, listing));
      if (!filter?.state || filter.state === 'resolved')
        out.push(...[...d.recent()].reverse().map((a) => view(a, listing)));
      return filter?.state ? out.filter((v) => v.state === filter.state) : out;
    },
    get(fp) {
      const a = find(fp) ?? [...d.recent()].reverse().find((r) => r.fingerprint === fp);
      return a && view(a);
    },
    counts() {
      const bySeverity: Record<string, number> = {};
      let firing = 0;
      let pending = 0;
      for (const a of d.active()) {
        if (a.visible) {
          firing++;
          const s = a.labels.severity ?? 'none';
          bySeverity[s] = (bySeverity[s] ?? 0) + 1;
        } else if (a.state === 'pending') pending++;
      }
      return { firing, pending, bySeverity };
    },
    async acknowledge(fp, o) {
      if (!find(fp)) throw alertsError('NOT_FOUND', `no active alert with fingerprint ${fp}`);
      if (!o.by) throw alertsError('INPUT_INVALID', 'an acknowledgement needs "by"');
      const now = d.now();
      const until = o.until ?? now + parseDuration(o.for ?? '4h');
      if (!(until > now)) throw alertsError('INPUT_INVALID', 'an acknowledgement must end in the future');
      const ack: Ack = { fingerprint: fp, by: o.by, until, comment: o.comment ?? '', at: now };
      d.putAck(ack, fp);
      return ack;
    },
    async unacknowledge(fp) {
      const had = d.acks.has(fp);
      d.putAck(undefined, fp);
      return had;
    },
    silences: {
      list(o) {
        const now = d.now();
        return [...d.silences.values()].filter((s) => o?.includeExpired || s.endsAt > now);
      },
      get: (id) => d.silences.get(id),
      async create(input) {
        const s = d.makeSilence(input);
        d.putSilence(s);
        return s;
      },
      async update(id, input) {
        if (!d.silences.has(id)) throw alertsError('NOT_FOUND', `no silence ${id}`);
        const s = d.makeSilence({ ...input, id });
        d.putSilence(s);
        return s;
      },
      async expire(id) {
        const s = d.silences.get(id);
        if (!s) return false;
        d.putSilence({
          ...s,
          endsAt: Math.min(s.endsAt, d.now()),
          startsAt: Math.min(s.startsAt, d.now() - 1),
        });
        return true;
      },
      async delete(id) {
        const had = d.silences.has(id);
        d.deleteSilence(id);
        return had;
      },
    },
  };
}

/**
 * Checks of the alerts configuration against what other plugins provide (a receiver naming a
 * notifier nobody provides), for `config validate`: resolve it from a monitor whose plugins are
 * set up, before starting it. `start` refuses the same problems.
 */
export interface AlertsChecks {
  /** One message per problem; empty when all is well. */
  problems(): string[];
}

/** The token the alerts plugin provides its checks under. */
export const alertsChecks = createToken<AlertsChecks>('ispmonitor.alerts.Checks');
