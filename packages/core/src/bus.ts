import { EventEmitter } from 'eventemitter3';
import type {
  AlertInstance,
  Device,
  DeviceStatus,
  InventoryFacts,
  Labels,
  Notification,
  PollResult,
  Sample,
} from './types.js';

/** A trap or notification received from a device. */
export interface TrapEvent {
  /** Id of the device it came from, when known. */
  device?: string;
  source: string;
  /** snmpTrapOID, or the vendor's event name. */
  trapOid: string;
  /** linkDown, linkUp, coldStart, warmStart, … where recognised. */
  kind?: string;
  varbinds: Array<{ oid: string; type: string; value: unknown }>;
  ts: number;
}

/** Every event the bus carries, with its payload. */
export interface MonitorEvents {
  'poll:success': { device: Device; durationMs: number; result: PollResult };
  'poll:failure': { device: Device; durationMs: number; error: { code: string; message: string } };
  samples: { device: Device; samples: Sample[] };
  facts: { device: Device; facts: InventoryFacts; ts: number };
  'device:status': {
    device: Device;
    previous: DeviceStatus;
    status: DeviceStatus;
    ts: number;
    reason?: string;
  };
  'device:added': { device: Device };
  'device:changed': { device: Device; previous: Device };
  'device:removed': { device: Device };
  trap: TrapEvent;
  'alert:firing': { alert: AlertInstance; labels: Labels };
  'alert:resolved': { alert: AlertInstance; labels: Labels };
  'notification:sent': { notification: Notification; integration: string; durationMs: number };
  'notification:failed': { notification: Notification; integration: string; error: string; final: boolean };
  'sink:error': { sink: string; error: { code: string; message: string }; batchSize: number };
}

export type EventName = keyof MonitorEvents;
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

  constructor(onError: ListenerErrorHandler) {
    this.#onError = onError;
  }

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

  once<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const off = this.on(event, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  off<E extends EventName>(event: E, listener: Listener<E>): void {
    const safe = this.#wrapped.get(event)?.get(listener);
    if (!safe) return;
    this.#wrapped.get(event)?.delete(listener);
    this.#emitter.off(event, safe);
  }

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

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
    this.#wrapped.clear();
  }
}
