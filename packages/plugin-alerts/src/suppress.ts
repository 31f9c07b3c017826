/**
 * Why an alert is not notified: a silence, an acknowledgement, an inhibition rule, or a parent
 * device that is down (topology). Checked at each group flush, so a mute that starts or ends
 * between flushes takes effect at the next one.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceRegistry, Labels } from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import { compileMatchers, type MatchersInput, parseMatchers } from './matchers.js';
import { type CompiledMatcher, type Matcher, matchAll } from './selector.js';

/** A silence, as stored and shown through the API. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** An acknowledgement of one alert, until it expires. */
export interface Ack {
  fingerprint: string;
  by: string;
  until: number;
  comment: string;
  at: number;
}

/** A compiled inhibition rule. */
export interface InhibitRule {
  source: CompiledMatcher[];
  target: CompiledMatcher[];
  equal: string[];
}

/** Why an alert is muted, or undefined. */
export type MuteReason =
  | { kind: 'silence'; id: string }
  | { kind: 'ack'; by: string }
  | { kind: 'inhibited' }
  | { kind: 'parent-down'; parent: string };

/** Builds a silence from API or config input; throws for bad matchers or times. */
export function makeSilence(
  input: {
    matchers: MatchersInput;
    startsAt?: number | string;
    endsAt: number | string;
    createdBy?: string;
    comment?: string;
    id?: string;
  },
  now: number,
): Silence {
  const time = (v: number | string) => (typeof v === 'number' ? v : Date.parse(v));
  const matchers = parseMatchers(input.matchers);
  compileMatchers(matchers);
  if (matchers.length === 0) throw new Error('a silence needs at least one matcher');
  const startsAt = input.startsAt === undefined ? now : time(input.startsAt);
  const endsAt = time(input.endsAt);
  if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt))
    throw new Error('silence times must be dates or epoch ms');
  if (endsAt <= startsAt) throw new Error('a silence must end after it starts');
  return {
    id: input.id ?? randomUUID(),
    matchers,
    startsAt,
    endsAt,
    createdBy: input.createdBy ?? 'unknown',
    comment: input.comment ?? '',
  };
}

/** Holds silences, acks and inhibition rules and decides mutes. */
export class Suppressor {
  readonly silences = new Map<string, Silence>();
  readonly acks = new Map<string, Ack>();
  readonly #compiled = new Map<string, CompiledMatcher[]>();
  readonly #inhibit: InhibitRule[];
  #index: Array<Map<string, Set<string>>> = [];
  /** What the index was built for: the caller's key of one alert set. */
  #indexKey: unknown;
  readonly #devices: () => Pick<DeviceRegistry, 'get'> | undefined;
  /** Whether a device has its own device-down alert firing. */
  readonly #deviceDown: (id: string) => boolean;

  constructor(
    inhibit: InhibitRule[],
    devices: () => Pick<DeviceRegistry, 'get'> | undefined,
    deviceDown: (id: string) => boolean,
  ) {
    this.#inhibit = inhibit;
    this.#devices = devices;
    this.#deviceDown = deviceDown;
  }

  putSilence(s: Silence): void {
    this.silences.set(s.id, s);
    this.#compiled.set(s.id, compileMatchers(s.matchers));
  }

  deleteSilence(id: string): boolean {
    this.#compiled.delete(id);
    return this.silences.delete(id);
  }

  /** The first active silence matching the labels. */
  silencedBy(labels: Labels, now: number): Silence | undefined {
    for (const s of this.silences.values()) {
      if (s.startsAt <= now && now < s.endsAt && matchAll(this.#compiled.get(s.id) ?? [], labels)) return s;
    }
    return undefined;
  }

  /**
   * Whether a firing alert among `firing` inhibits `target`. The sources are indexed once per
   * alert set: calls with the same `key` (the engine's version for a flush, one object per API
   * listing) reuse the index, so a flush or a listing of many alerts stays linear. Without a key
   * the index is built for this call alone.
   */
  inhibited(target: AlertRecord, firing: Iterable<AlertRecord>, key?: unknown): boolean {
    if (key === undefined || key !== this.#indexKey) {
      this.#index = this.#inhibit.map((rule) => {
        const byEqual = new Map<string, Set<string>>();
        for (const src of firing) {
          if (src.state !== 'firing' || !matchAll(rule.source, src.labels)) continue;
          const key = equalKey(rule.equal, src.labels);
          const set = byEqual.get(key) ?? new Set<string>();
          set.add(src.fingerprint);
          byEqual.set(key, set);
        }
        return byEqual;
      });
      this.#indexKey = key;
    }
    for (const [i, rule] of this.#inhibit.entries()) {
      if (!matchAll(rule.target, target.labels)) continue;
      const sources = this.#index[i]?.get(equalKey(rule.equal, target.labels));
      // An alert never inhibits itself (it may match both source and target).
      if (sources && (sources.size > 1 || !sources.has(target.fingerprint))) return true;
    }
    return false;
  }

  /** The nearest ancestor of a device that is down (status, or its device-down alert firing). */
  downAncestor(deviceId: string | undefined): string | undefined {
    const reg = this.#devices();
    if (!deviceId || !reg) return undefined;
    const seen = new Set<string>([deviceId]);
    let parent = reg.get(deviceId)?.device.parent;
    while (parent && !seen.has(parent)) {
      seen.add(parent);
      const st = reg.get(parent);
      if (st && (st.status === 'unreachable' || st.status === 'offline')) return parent;
      if (this.#deviceDown(parent)) return parent;
      parent = st?.device.parent;
    }
    return undefined;
  }

  /** Why a firing alert should not be notified now, if it should not (`key`: see `inhibited`). */
  muted(a: AlertRecord, firing: Iterable<AlertRecord>, now: number, key?: unknown): MuteReason | undefined {
    const s = this.silencedBy(a.labels, now);
    if (s) return { kind: 'silence', id: s.id };
    const ack = this.acks.get(a.fingerprint);
    if (ack) {
      if (ack.until > now) return { kind: 'ack', by: ack.by };
      this.acks.delete(a.fingerprint);
    }
    const parent = this.downAncestor(a.device ?? a.labels.device);
    if (parent) return { kind: 'parent-down', parent };
    if (this.#inhibit.length > 0 && this.inhibited(a, firing, key)) return { kind: 'inhibited' };
    return undefined;
  }
}

/** The values of the `equal` labels, as one key (a missing label counts as empty). */
function equalKey(equal: readonly string[], labels: Labels): string {
  return equal.map((k) => labels[k] ?? '').join('\u0000');
}
