/**
 * What happened to alerts and silences, for the event stream: acknowledgements and their removal,
 * silences created and expired (by someone or because their time ran out), and whole snapshots of
 * the alert totals after any change. The routes announce what users do; the hub adds the changes
 * nobody makes (alerts firing and resolving, pending alerts appearing, silences running out).
 */
import type { Bus } from '@ispmonitor/core';
import type { AlertsApi } from './api.js';
import { type AlertCounts, currentCounts } from './counts.js';

/** An acknowledgement as the stream sends it. */
export interface AckInfo {
  by: string;
  at: number;
  comment?: string;
  /** When the acknowledgement runs out, if it does. */
  until?: number;
}

/**
 * A silence as the stream sends it: the same object `GET /api/v1/silences` lists (id, matchers,
 * startsAt, endsAt, createdBy, comment).
 */
export type SilenceInfo = { id: string; endsAt: number } & Record<string, unknown>;

/** One change, named as the event it becomes on `/api/v1/events`. */
export type AlertChange =
  | { event: 'alert:acknowledged'; data: { fingerprint: string; ack: AckInfo } }
  | { event: 'alert:unacknowledged'; data: { fingerprint: string; by: string; ts: number } }
  | { event: 'silence:created'; data: { silence: SilenceInfo } }
  | { event: 'silence:expired'; data: { silence: SilenceInfo; by?: string; ts: number } }
  | { event: 'alerts:counts'; data: AlertCounts };

/** A change of the totals follows other changes after this delay, coalescing bursts. */
const COUNTS_DELAY_MS = 500;
/** Pending alerts come and go without an event: the totals are re-read this often anyway. */
const COUNTS_REFRESH_MS = 4_000;
/** Longest timer Node accepts; a silence ending later is re-armed when this one fires. */
const MAX_TIMER_MS = 2_147_483_647;

type Listener = (change: AlertChange) => void;

/** The hub of alert changes of one alerting API. Listeners are the open event streams. */
export class AlertChanges {
  readonly #alerts: AlertsApi;
  readonly #bus: Bus;
  readonly #listeners = new Set<Listener>();
  readonly #expiry = new Map<string, NodeJS.Timeout>();
  #offs: Array<() => void> = [];
  #countsTimer: NodeJS.Timeout | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #latest: AlertCounts | undefined;

  constructor(alerts: AlertsApi, bus: Bus) {
    this.#alerts = alerts;
    this.#bus = bus;
  }

  /** Subscribes (an open stream); the hub watches the bus and the clock only while someone listens. */
  on(fn: Listener): () => void {
    this.#listeners.add(fn);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** The totals now (read afresh: the last snapshot sent may be up to one refresh old). */
  counts(): Promise<AlertCounts> {
    return currentCounts(this.#alerts);
  }

  /** Announces a change a user made (through the routes); a new snapshot of the totals follows. */
  emit(change: AlertChange): void {
    if (change.event === 'silence:created') this.#watch(change.data.silence);
    if (change.event === 'silence:expired') this.#unwatch(change.data.silence.id);
    this.#send(change);
    this.#countsSoon();
  }

  #send(change: AlertChange): void {
    for (const fn of this.#listeners) {
      try {
        fn(change);
      } catch {
        // One stream's failure (a socket gone) must not keep the change from the others.
      }
    }
  }

  #start(): void {
    this.#offs = [
      this.#bus.on('alert:firing', () => this.#countsSoon()),
      this.#bus.on('alert:resolved', () => this.#countsSoon()),
    ];
    this.#refresh = setInterval(() => void this.#recount(), COUNTS_REFRESH_MS);
    this.#refresh.unref();
    void this.#recount();
    // Silences made before anyone listened still announce their end.
    void this.#alerts.silences
      ?.list()
      .then((items) => {
        for (const s of items) this.#watch(s as SilenceInfo);
      })
      .catch(() => undefined);
  }

  #stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    clearInterval(this.#refresh);
    clearTimeout(this.#countsTimer);
    this.#countsTimer = undefined;
    for (const t of this.#expiry.values()) clearTimeout(t);
    this.#expiry.clear();
    this.#latest = undefined;
  }

  #countsSoon(): void {
    if (this.#listeners.size === 0) return;
    this.#countsTimer ??= setTimeout(() => {
      this.#countsTimer = undefined;
      void this.#recount(true);
    }, COUNTS_DELAY_MS);
  }

  /** Reads the totals; sends them when they changed (or always, after a change someone made). */
  async #recount(always = false): Promise<void> {
    let next: AlertCounts;
    try {
      next = await currentCounts(this.#alerts);
    } catch {
      return; // the alerting is stopping: the next round tries again
    }
    if (this.#listeners.size === 0) return;
    const changed = JSON.stringify(next) !== JSON.stringify(this.#latest);
    this.#latest = next;
    if (changed || always) this.#send({ event: 'alerts:counts', data: next });
  }

  /** Arms the announcement of a silence's natural end. */
  #watch(s: SilenceInfo): void {
    if (this.#listeners.size === 0 || typeof s.endsAt !== 'number') return;
    this.#unwatch(s.id);
    const wait = s.endsAt - Date.now();
    if (wait <= 0) return;
    const timer = setTimeout(
      () => {
        this.#expiry.delete(s.id);
        if (s.endsAt > Date.now()) return this.#watch(s); // longer than one timer: re-arm
        this.#send({ event: 'silence:expired', data: { silence: s, ts: s.endsAt } });
        this.#countsSoon();
      },
      Math.min(wait + 50, MAX_TIMER_MS),
    );
    timer.unref();
    this.#expiry.set(s.id, timer);
  }

  #unwatch(id: string): void {
    clearTimeout(this.#expiry.get(id));
    this.#expiry.delete(id);
  }
}

const hubs = new WeakMap<AlertsApi, AlertChanges>();

/**
 * The hub of an alerting API: the same one for the alert routes (which announce) and the event
 * stream (which listens), though they are separate Fastify plugins.
 */
export function alertChanges(alerts: AlertsApi, bus: Bus): AlertChanges {
  let hub = hubs.get(alerts);
  if (!hub) {
    hub = new AlertChanges(alerts, bus);
    hubs.set(alerts, hub);
  }
  return hub;
}
