/**
 * At-least-once delivery. Each notification is written to the outbox (StateStore) before the
 * first attempt and removed once every integration has it, so a restart resumes what was not
 * delivered. Failed attempts retry with exponential backoff and jitter; 4xx answers other than
 * 429 are final; `retryAfterMs` (429 Retry-After) is honoured. Notifications of one group go out
 * in order, one at a time, so a resolve never overtakes its firing.
 */
import { type Bus, type Clock, describeError, type Logger } from '@ispmonitor/core';
import type { Notification, Notifier } from './events.js';
import type { AlertMetrics } from './metrics.js';
import { NS, type StateWriter } from './persist.js';

/** A notification waiting in the outbox. */
export interface OutboxItem {
  id: string;
  /** Items with the same queue key are delivered in order. */
  queue: string;
  notification: Notification;
  /** Integrations (notifier names) that still need it. */
  remaining: string[];
  attempts: Record<string, number>;
  createdAt: number;
}

export interface DeliveryOptions {
  clock: Clock;
  bus: Bus;
  logger: Logger;
  writer: StateWriter;
  metrics: AlertMetrics;
  notifiers: () => Map<string, Notifier>;
  minBackoff: number;
  maxBackoff: number;
  giveUpAfter: number;
  /**
   * Wait until the outbox item (and whatever else is queued, such as the notification log) is
   * written before the first attempt. Replicas sharing one store set it, so that a leader taking
   * over finds every notification that may have gone out. Default false (written behind).
   */
  persistFirst?: boolean;
  /** Checked before every attempt: while it answers false nothing is sent (the item stays in the outbox). */
  gate?: () => boolean;
  /** Longest one attempt may take. Default 30 s. */
  attemptTimeout?: number;
  random?: () => number;
}

export class Delivery {
  readonly #o: DeliveryOptions;
  readonly #queues = new Map<string, OutboxItem[]>();
  readonly #timers = new Set<unknown>();
  readonly #abort = new AbortController();
  #stopped = false;
  /** Integrations whose latest attempt failed, with the error. */
  readonly #failing = new Map<string, string>();

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  /** Integrations whose latest attempt failed (for health). */
  get failing(): ReadonlyMap<string, string> {
    return this.#failing;
  }

  /** Items waiting, over all queues. */
  get backlog(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** Persists and schedules a notification. */
  enqueue(item: OutboxItem): void {
    if (this.#stopped) return;
    this.#o.writer.put(NS.outbox, item.id, item);
    if (this.#append(item)) this.#start(item);
  }

  /** Appends to the item's queue; true when it heads the queue, so nobody else will run it. */
  #append(item: OutboxItem): boolean {
    const q = this.#queues.get(item.queue);
    if (q) {
      q.push(item);
      return false;
    }
    this.#queues.set(item.queue, [item]);
    return true;
  }

  /** Runs the head of a queue, once it is written when `persistFirst` asks for that. */
  #start(item: OutboxItem): void {
    if (this.#o.persistFirst) void this.#o.writer.flush().then(() => this.#run(item));
    else this.#run(item);
  }

  /** Reloads the outbox after a restart. */
  async resume(): Promise<void> {
    const items = await this.#o.writer.store.list<OutboxItem>(NS.outbox);
    items.sort((a, b) => a.value.createdAt - b.value.createdAt);
    for (const { value } of items) {
      if (this.#stopped) return;
      // Already persisted: the head runs at once, without waiting for a flush.
      if (this.#append(value)) this.#run(value);
    }
  }

  #run(item: OutboxItem): void {
    if (item.remaining.length === 0) {
      this.#done(item);
      return;
    }
    for (const integration of [...item.remaining]) void this.#attempt(item, integration);
  }

  async #attempt(item: OutboxItem, integration: string): Promise<void> {
    if (this.#stopped || this.#o.gate?.() === false) return;
    const { clock, bus, metrics } = this.#o;
    const notifier = this.#o.notifiers().get(integration);
    const n = item.notification;
    if (!notifier) {
      metrics.failed.inc({ integration });
      bus.emit('notification:failed', {
        notification: n,
        integration,
        error: `no notifier named "${integration}"`,
        final: true,
      });
      return this.#finish(item, integration);
    }
    item.attempts[integration] = (item.attempts[integration] ?? 0) + 1;
    const t0 = performance.now();
    const signal = AbortSignal.any([
      this.#abort.signal,
      AbortSignal.timeout(this.#o.attemptTimeout ?? 30_000),
    ]);
    let result: Awaited<ReturnType<Notifier['send']>>;
    try {
      result = await notifier.send(n, { signal });
    } catch (err) {
      // Notifiers must not throw; one that does is treated as a retryable failure.
      result = { ok: false, retry: true, error: describeError(err).message };
    }
    const secs = (performance.now() - t0) / 1000;
    metrics.duration.observe({ integration }, secs);
    if (this.#stopped) return;
    if (result.ok) {
      this.#failing.delete(integration);
      metrics.notifications.inc({ integration });
      bus.emit('notification:sent', { notification: n, integration, durationMs: secs * 1000 });
      return this.#finish(item, integration);
    }
    metrics.failed.inc({ integration });
    this.#failing.set(integration, result.error);
    const tooOld = clock.now() - item.createdAt >= this.#o.giveUpAfter;
    const final = !result.retry || tooOld;
    bus.emit('notification:failed', { notification: n, integration, error: result.error, final });
    this.#o.logger.warn('notification failed', {
      integration,
      receiver: n.receiver,
      error: result.error,
      final,
    });
    if (final) return this.#finish(item, integration);
    const tries = item.attempts[integration] ?? 1;
    const base = Math.min(this.#o.maxBackoff, this.#o.minBackoff * 2 ** (tries - 1));
    // Jitter spreads retries of many groups that failed together (half fixed, half random).
    let wait = base / 2 + (this.#o.random ?? Math.random)() * (base / 2);
    if (result.retryAfterMs !== undefined) wait = Math.max(result.retryAfterMs, 0);
    this.#o.writer.put(NS.outbox, item.id, item);
    const timer = clock.setTimeout(
      () => {
        this.#timers.delete(timer);
        void this.#attempt(item, integration);
      },
      Math.max(0, wait),
    );
    this.#timers.add(timer);
  }

  #finish(item: OutboxItem, integration: string): void {
    item.remaining = item.remaining.filter((r) => r !== integration);
    if (item.remaining.length > 0) {
      this.#o.writer.put(NS.outbox, item.id, item);
      return;
    }
    this.#done(item);
  }

  #done(item: OutboxItem): void {
    this.#o.writer.put(NS.outbox, item.id, undefined);
    const q = this.#queues.get(item.queue);
    if (!q) return;
    q.shift();
    const next = q[0];
    if (next) this.#start(next);
    else this.#queues.delete(item.queue);
  }

  /** Stops retrying; undelivered items stay in the outbox for the next start. */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    for (const t of this.#timers) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
  }
}
