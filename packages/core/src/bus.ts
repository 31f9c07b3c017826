import { EventEmitter } from 'eventemitter3';
import type { BusEvents, EventBus, EventName, Listener } from './types.js';

/** Called when a listener throws or rejects. */
export type ListenerErrorHandler = (event: string, error: unknown) => void;

/**
 * The event bus core makes for each monitor (on eventemitter3). A listener that throws (or whose
 * promise rejects) is reported to the error handler — which logs and counts it — and the emitter
 * and the other listeners go on.
 */
export class MonitorBus implements EventBus {
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
        const out = listener(payload as BusEvents[E]);
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
  emit<E extends EventName>(event: E, payload: BusEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  /** Whether anyone listens: lets emitters skip building payloads nobody reads. */
  hasListeners(event: EventName): boolean {
    return this.#emitter.listenerCount(event) > 0;
  }

  /** Resolves with the next payload of `event`. */
  next<E extends EventName>(event: E, filter?: (payload: BusEvents[E]) => boolean): Promise<BusEvents[E]> {
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

/** The typed event bus: the contract's `EventBus` (`ctx.bus`, `monitor.bus`) under its short name. */
export type Bus = EventBus;

/**
 * Makes a bus outside a monitor (tests, tools): `new Bus(onError)`. The type and this value share
 * the name, so `import { Bus }` gives both.
 */
export const Bus: new (onError: ListenerErrorHandler) => EventBus = MonitorBus;
