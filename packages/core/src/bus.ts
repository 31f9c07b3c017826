import { EventEmitter } from 'eventemitter3';
import type {
  AlertInstance,
  Device,
  DeviceStatus,
  InventoryFacts,
  Labels,
  Notification,
  PollResult,
  PppoeSessionFact,
  Sample,
} from './types.js';

/** A trap or notification received from a device. */
export interface TrapEvent {
  /** Id of the device it came from, when known. */
  device?: string;
  /** Address the trap came from. */
  source: string;
  /** snmpTrapOID, or the vendor's event name. */
  trapOid: string;
  /** linkDown, linkUp, coldStart, warmStart, … where recognised. */
  kind?: string;
  /** Variable bindings of the trap, decoded. */
  varbinds: Array<{ oid: string; type: string; value: unknown }>;
  /** When it arrived, ms since the epoch. */
  ts: number;
}

/** Every event the bus carries, with its payload. */
export interface MonitorEvents {
  /** A poll succeeded (part errors may be in the result). */
  'poll:success': { device: Device; durationMs: number; result: PollResult };
  /** A poll failed: timeout, unreachable, driver error. */
  'poll:failure': { device: Device; durationMs: number; error: { code: string; message: string } };
  /**
   * A poll was skipped: the monitor's own event loop was blocked while it ran (and while it was
   * retried once) — `overloaded` — or the worker thread running it died — `worker` — so it says
   * nothing about the device. No status change and no failure follow.
   */
  'poll:skipped': {
    device: Device;
    reason: 'overloaded' | 'worker';
    message: string;
    durationMs: number;
    attempts: number;
  };
  /**
   * The monitor entered (`overloaded: true`) or left the overloaded state: event-loop lag or poll
   * backlog crossed its threshold, or polls had to be skipped. Emitted on each change only.
   */
  'monitor:overloaded': {
    /** True on entering the state, false on leaving it. */
    overloaded: boolean;
    /** Largest event-loop lag the probe saw in the last 5–10 s, ms. */
    lagMs: number;
    /** Polls due but not started (every concurrency slot busy). */
    backlog: number;
    /** What crossed its threshold, or what has stayed calm. */
    reason: string;
    /** When, ms since the epoch. */
    ts: number;
  };
  /** Samples of a poll, with `device_up`, after labels were stamped. */
  samples: { device: Device; samples: Sample[] };
  /** Inventory facts a poll learned. */
  facts: { device: Device; facts: InventoryFacts; ts: number };
  /** A device's status changed. */
  'device:status': {
    device: Device;
    previous: DeviceStatus;
    status: DeviceStatus;
    ts: number;
    reason?: string;
  };
  /** A device was added (config devices at creation are not announced). */
  'device:added': { device: Device };
  /** A device definition changed. */
  'device:changed': { device: Device; previous: Device };
  /** A device was removed. */
  'device:removed': { device: Device };
  /** PPPoE sessions appeared on or vanished from a device since its previous poll. */
  'pppoe:session': { device: Device; appeared: PppoeSessionFact[]; vanished: PppoeSessionFact[]; ts: number };
  /** A trap or notification arrived from a device. */
  trap: TrapEvent;
  /** An alert started firing. */
  'alert:firing': { alert: AlertInstance; labels: Labels };
  /** An alert resolved. */
  'alert:resolved': { alert: AlertInstance; labels: Labels };
  /** A notification was delivered. */
  'notification:sent': { notification: Notification; integration: string; durationMs: number };
  /** A delivery failed; `final` when no retry follows. */
  'notification:failed': { notification: Notification; integration: string; error: string; final: boolean };
  /** A sink's write failed; the batch will be retried. */
  'sink:error': { sink: string; error: { code: string; message: string }; batchSize: number };
}

/** Names of the bus's events. */
export type EventName = keyof MonitorEvents;
/** A listener of one event; may be async. */
export type Listener<E extends EventName> = (payload: MonitorEvents[E]) => void | Promise<void>;

/** Called when a listener throws or rejects. */
export type ListenerErrorHandler = (event: string, error: unknown) => void;

/**
 * The typed event bus. A listener that throws (or whose promise rejects) is reported to the
 * error handler — which logs and counts it — and the emitter and the other listeners go on.
 */
export class Bus {
  readonly #emitter = new EventEmitter();
  readonly #wrapped = new Map<string, Map<unknown, (payload: unknown) => void>>();
  readonly #onError: ListenerErrorHandler;

  /** `onError` hears of every listener that throws or rejects. */
  constructor(onError: ListenerErrorHandler) {
    this.#onError = onError;
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const safe = (payload: unknown) => {
      try {
        const out = listener(payload as MonitorEvents[E]);
        if (out && typeof (out as Promise<void>).then === 'function') {
          (out as Promise<void>).then(undefined, (err: unknown) => this.#onError(event, err));
        }
      } catch (err) {
        this.#onError(event, err);
      }
    };
    let byListener = this.#wrapped.get(event);
    if (!byListener) {
      byListener = new Map();
      this.#wrapped.set(event, byListener);
    }
    byListener.set(listener, safe);
    this.#emitter.on(event, safe);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const off = this.on(event, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  /** Removes a listener. */
  off<E extends EventName>(event: E, listener: Listener<E>): void {
    const safe = this.#wrapped.get(event)?.get(listener);
    if (!safe) return;
    this.#wrapped.get(event)?.delete(listener);
    this.#emitter.off(event, safe);
  }

  /** Calls every listener of the event; never throws. */
  emit<E extends EventName>(event: E, payload: MonitorEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  /** Whether anyone listens: lets emitters skip building payloads nobody reads. */
  hasListeners(event: EventName): boolean {
    return this.#emitter.listenerCount(event) > 0;
  }

  /** Resolves with the next payload of `event`. */
  next<E extends EventName>(
    event: E,
    filter?: (payload: MonitorEvents[E]) => boolean,
  ): Promise<MonitorEvents[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (filter && !filter(payload)) return;
        off();
        resolve(payload);
      });
    });
  }

  /** Removes every listener (the monitor does it at stop). */
  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
    this.#wrapped.clear();
  }
}
