import { normaliseAlert, normaliseSilence } from './alerts.js';
import type { Alert, AlertCounts, DeviceStatus, OverloadState, Silence, StatusEvent } from './types.js';

/** An acknowledgement as the stream sends it. */
export interface LiveAck {
  by: string;
  at: number;
  comment?: string;
  until?: number;
}

/** What the event stream tells the pages. */
export interface LiveEvents {
  status: StatusEvent;
  'alert:firing': Alert;
  'alert:resolved': Alert;
  /**
   * Counts of devices by status: a whole snapshot, sent when the stream opens and shortly after
   * status or inventory changes, in stream order (so always consistent with the events).
   */
  counts: { counts: Partial<Record<DeviceStatus, number>> };
  inventory: { device: string; kind: 'added' | 'changed' | 'removed' };
  connection: { connected: boolean };
  /** Alert totals: a whole snapshot (hello, then after every change); pending is never firing. */
  'alerts:counts': AlertCounts;
  'alert:acknowledged': { fingerprint: string; ack: LiveAck };
  'alert:unacknowledged': { fingerprint: string; by: string; ts: number };
  'silence:created': { silence: Silence };
  /** A silence ended: expired by someone (`by`) or its time ran out. */
  'silence:expired': { silence: Silence; by?: string; ts: number };
  /** The monitor's own overload: the state in hello, then each change. */
  overload: OverloadState;
}

type Handler<K extends keyof LiveEvents> = (e: LiveEvents[K]) => void;

/** First and longest wait before a stream the browser gave up on is opened again. */
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;

/**
 * One EventSource on `/api/v1/events` for the whole app; pages subscribe and unsubscribe as they
 * mount. The browser reconnects a dropped stream by itself (the server sends `retry:`); a stream
 * refused outright is opened again here, with backoff.
 */
class Live {
  private source: EventSource | undefined;
  private handlers = new Map<keyof LiveEvents, Set<Handler<never>>>();
  connected = false;
  /** The latest counts snapshot of this stream (undefined until the first arrives). */
  counts: Partial<Record<DeviceStatus, number>> | undefined;
  /** The latest alert totals of this stream (undefined until the first arrives). */
  alertCounts: AlertCounts | undefined;
  /** The monitor's overload state as of the latest hello or change. */
  overload: OverloadState | undefined;

  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  start(): void {
    if (this.source || this.retryTimer) return;
    const es = new EventSource('/api/v1/events', { withCredentials: true });
    this.source = es;
    es.onopen = () => {
      this.retryMs = RETRY_MIN_MS;
      this.setConnected(true);
    };
    es.onerror = () => {
      this.setConnected(false);
      // The browser retries a dropped stream by itself, but gives up for good on an answer that
      // is not a stream (a 429 when this user has too many open, a 502 from a proxy): then we
      // open a new one later, backing off up to a minute.
      if (es.readyState !== EventSource.CLOSED || this.source !== es) return;
      this.source = undefined;
      const wait = this.retryMs * (0.8 + Math.random() * 0.4);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.start();
      }, wait);
    };
    const json = (data: string): unknown => {
      try {
        return JSON.parse(data);
      } catch {
        return undefined;
      }
    };
    for (const name of ['hello', 'counts']) {
      es.addEventListener(name, (m) => {
        const data = json(m.data) as
          | { counts?: LiveEvents['counts']['counts']; alerts?: unknown; overload?: unknown }
          | undefined;
        // A hello carries every snapshot: alert totals and the overload state besides the counts.
        if (name === 'hello') {
          this.useAlertCounts(data?.alerts);
          this.useOverload(data?.overload);
        }
        const counts = data?.counts;
        if (!counts || typeof counts !== 'object') return;
        this.counts = counts;
        this.emit('counts', { counts });
      });
    }
    es.addEventListener('alerts:counts', (m) => this.useAlertCounts(json(m.data)));
    es.addEventListener('monitor:overloaded', (m) => this.useOverload(json(m.data)));
    es.addEventListener('alert:acknowledged', (m) => {
      const e = json(m.data) as LiveEvents['alert:acknowledged'] | undefined;
      if (e?.fingerprint && e.ack?.by) this.emit('alert:acknowledged', e);
    });
    es.addEventListener('alert:unacknowledged', (m) => {
      const e = json(m.data) as LiveEvents['alert:unacknowledged'] | undefined;
      if (e?.fingerprint) this.emit('alert:unacknowledged', e);
    });
    for (const kind of ['created', 'expired'] as const) {
      es.addEventListener(`silence:${kind}`, (m) => {
        const e = json(m.data) as { silence?: unknown; by?: string; ts?: number } | undefined;
        if (!e?.silence) return;
        const silence = normaliseSilence(e.silence);
        if (kind === 'created') this.emit('silence:created', { silence });
        else
          this.emit('silence:expired', {
            silence,
            ts: typeof e.ts === 'number' ? e.ts : Date.now(),
            ...(e.by ? { by: e.by } : {}),
          });
      });
    }
    es.addEventListener('device:status', (m) => {
      const e = json(m.data) as StatusEvent | undefined;
      if (e?.device) this.emit('status', e);
    });
    for (const kind of ['firing', 'resolved'] as const) {
      es.addEventListener(`alert:${kind}`, (m) => {
        const raw = json(m.data) as { fingerprint?: string } | undefined;
        if (raw?.fingerprint) this.emit(`alert:${kind}`, normaliseAlert(raw));
      });
    }
    for (const kind of ['added', 'changed', 'removed'] as const) {
      es.addEventListener(`device:${kind}`, (m) => {
        const e = json(m.data) as { device?: string } | undefined;
        if (e?.device) this.emit('inventory', { device: e.device, kind });
      });
    }
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.source?.close();
    this.source = undefined;
    this.counts = undefined;
    this.alertCounts = undefined;
    this.overload = undefined;
    this.setConnected(false);
  }

  /**
   * Calls `fn` with the alert totals now (when known) and after every change; returns the
   * unsubscribe function. The one source of the navigation badge, the alerts tabs and the overview.
   */
  followAlertCounts(fn: (c: AlertCounts) => void): () => void {
    if (this.alertCounts) fn(this.alertCounts);
    return this.on('alerts:counts', fn);
  }

  private useAlertCounts(raw: unknown): void {
    const c = raw as AlertCounts | undefined;
    if (!c || typeof c.firing !== 'number' || typeof c.pending !== 'number') return;
    this.alertCounts = { ...c, bySeverity: c.bySeverity ?? {} };
    this.emit('alerts:counts', this.alertCounts);
  }

  private useOverload(raw: unknown): void {
    const o = raw as OverloadState | undefined;
    if (!o || typeof o.overloaded !== 'boolean') return;
    this.overload = o;
    this.emit('overload', o);
  }

  /** Subscribes; returns the unsubscribe function (pages call it when they unmount). */
  on<K extends keyof LiveEvents>(event: K, fn: Handler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(fn as Handler<never>);
    return () => set.delete(fn as Handler<never>);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit('connection', { connected });
  }

  private emit<K extends keyof LiveEvents>(event: K, data: LiveEvents[K]): void {
    for (const fn of this.handlers.get(event) ?? []) {
      try {
        (fn as Handler<K>)(data);
      } catch (err) {
        // One page's bug must not stop the other subscribers.
        console.error('live handler failed', err);
      }
    }
  }
}

/** The app's event stream. */
export const live = new Live();
