import type { DeviceRegistry, DeviceState, DeviceStatus, Logger } from '@ispmonitor/core';
import { describeError } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';

/** A status change as the live event stream sends it. */
export interface StatusChange {
  device: string;
  previous: DeviceStatus;
  status: DeviceStatus;
  ts: number;
  reason?: string;
}

/** What the routes read about devices and their status. */
export type DeviceView = Pick<DeviceRegistry, 'list' | 'get' | 'counts'> & {
  /**
   * Status changes this view shows that the monitor's bus does not carry (an API replica's
   * recorded statuses); the listener is removed by the function returned.
   */
  onStatusChange?(listener: (change: StatusChange) => void): () => void;
};

/**
 * The devices of an `api` replica, which polls nothing: each one's status is the last one the
 * poller replicas recorded in storage (refreshed by `refresh()`), not this process's `unknown`.
 */
export class StoredStatuses implements DeviceView {
  #status = new Map<string, DeviceStatus>();
  #listeners = new Set<(change: StatusChange) => void>();

  constructor(
    private readonly devices: DeviceView,
    private readonly store: () => PostgresStore | undefined,
    private readonly now: () => number = Date.now,
    private readonly logger?: Logger,
  ) {}

  /**
   * Reads the status in force now of every device from the recorded transitions, and tells the
   * listeners what changed since the previous read (before the first one, every device showed
   * this process's own status: `unknown`).
   */
  async refresh(): Promise<void> {
    const store = this.store();
    if (!store) return;
    const now = this.now();
    // Availability over the last millisecond: the one status with time in it is the current one.
    const rows = await store.availability(now - 1, now);
    const next = new Map<string, DeviceStatus>();
    for (const row of rows) {
      for (const [status, ms] of Object.entries(row.ms))
        if (ms > 0) next.set(row.device, status as DeviceStatus);
    }
    const previous = this.#status;
    this.#status = next;
    if (this.#listeners.size === 0) return;
    const changes: StatusChange[] = [];
    const reason = 'recorded by a poller';
    for (const [device, status] of next) {
      const own = this.devices.get(device);
      if (!own) continue;
      const before = previous.get(device) ?? own.status;
      if (before !== status) changes.push({ device, previous: before, status, ts: now, reason });
    }
    // A device whose recorded status is gone (history expired) shows this process's own again.
    for (const [device, before] of previous) {
      if (next.has(device)) continue;
      const own = this.devices.get(device)?.status;
      if (own && own !== before) changes.push({ device, previous: before, status: own, ts: now, reason });
    }
    for (const change of changes) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(change);
        } catch (err) {
          // A listener (one SSE client) never stops the others or the sync round.
          this.logger?.warn('status change listener failed', { error: describeError(err) });
        }
      }
    }
  }

  onStatusChange(listener: (change: StatusChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #apply(state: DeviceState): DeviceState {
    const status = this.#status.get(state.device.id);
    return status && status !== state.status ? { ...state, status } : state;
  }

  list(): DeviceState[] {
    return this.devices.list().map((s) => this.#apply(s));
  }

  get(id: string): DeviceState | undefined {
    const state = this.devices.get(id);
    return state && this.#apply(state);
  }

  counts(): Record<DeviceStatus, number> {
    const counts: Record<DeviceStatus, number> = { unknown: 0, online: 0, unreachable: 0, offline: 0 };
    for (const s of this.list()) counts[s.status]++;
    return counts;
  }
}

/**
 * Replicas sharing one PostgreSQL catch up with each other every `intervalMs`: devices added,
 * changed or removed through another replica (`devices.reload()`), then `after` (an API
 * replica's statuses). A failed round is logged and retried at the next one; rounds never overlap.
 */
export function startReplicaSync(options: {
  devices: DeviceRegistry;
  intervalMs: number;
  logger: Logger;
  after?: () => Promise<void>;
}): { stop(): void; round(): Promise<void> } {
  const { devices, intervalMs, logger, after } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  const round = async () => {
    try {
      const changes = await devices.reload();
      if (changes.added + changes.changed + changes.removed > 0)
        logger.info('devices changed by other replicas', changes);
      await after?.();
      if (failing) logger.info('replica sync works again');
      failing = false;
    } catch (err) {
      if (!failing) logger.warn('replica sync failed; retrying', { error: describeError(err) });
      failing = true;
    }
  };
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => void round().finally(next), intervalMs);
    timer.unref();
  };
  next();
  return {
    round,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
