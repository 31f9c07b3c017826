import type { DeviceRegistry, DeviceState, DeviceStatus, Logger } from '@ispmonitor/core';
import { describeError } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';

/** What the routes read about devices and their status. */
export type DeviceView = Pick<DeviceRegistry, 'list' | 'get' | 'counts'>;

/**
 * The devices of an `api` replica, which polls nothing: each one's status is the last one the
 * poller replicas recorded in storage (refreshed by `refresh()`), not this process's `unknown`.
 */
export class StoredStatuses implements DeviceView {
  #status = new Map<string, DeviceStatus>();

  constructor(
    private readonly devices: DeviceView,
    private readonly store: () => PostgresStore | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the status in force now of every device from the recorded transitions. */
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
    this.#status = next;
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
