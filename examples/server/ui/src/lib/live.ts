import { normaliseAlert } from './alerts.js';
import type { Alert, DeviceStatus, StatusEvent } from './types.js';

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
}

type Handler<K extends keyof LiveEvents> = (e: LiveEvents[K]) => void;

/**
 * One EventSource on `/api/v1/events` for the whole app; pages subscribe and unsubscribe as they
 * mount. The browser reconnects by itself (the server sends `retry:`); we only report the state.
 */
class Live {
  private source: EventSource | undefined;
  private handlers = new Map<keyof LiveEvents, Set<Handler<never>>>();
  connected = false;
  /** The latest counts snapshot of this stream (undefined until the first arrives). */
  counts: Partial<Record<DeviceStatus, number>> | undefined;

  start(): void {
    if (this.source) return;
    const es = new EventSource('/api/v1/events', { withCredentials: true });
    this.source = es;
    es.onopen = () => this.setConnected(true);
    es.onerror = () => this.setConnected(false);
    const json = (data: string): unknown => {
      try {
        return JSON.parse(data);
      } catch {
        return undefined;
      }
    };
    for (const name of ['hello', 'counts']) {
      es.addEventListener(name, (m) => {
        const counts = (json(m.data) as { counts?: LiveEvents['counts']['counts'] } | undefined)?.counts;
        if (!counts || typeof counts !== 'object') return;
        this.counts = counts;
        this.emit('counts', { counts });
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
    this.source?.close();
    this.source = undefined;
    this.counts = undefined;
    this.setConnected(false);
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
