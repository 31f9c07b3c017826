import type { Bus } from '../bus.js';
import { parseDuration } from '../duration.js';
import { describeError, ErrorCodes, monitorError } from '../errors.js';
import type { DeviceEntry, Scheduler } from '../scheduler/scheduler.js';
import type {
  Device,
  DeviceOrigin,
  DeviceRegistry,
  DeviceState,
  DeviceStatus,
  Driver,
  InventoryStore,
  Logger,
} from '../types.js';
import { type AddressPolicy, addressPolicy } from './address-policy.js';
import { checkParentLoop, validateDevice } from './validate.js';

/** The default inventory store: devices live as long as the process. */
export function memoryInventory(): InventoryStore {
  const devices = new Map<string, Device>();
  return {
    persistent: false,
    list: async () => [...devices.values()],
    put: async (d) => void devices.set(d.id, d),
    remove: async (id) => void devices.delete(id),
  };
}

function stateOf(entry: DeviceEntry, origin: DeviceOrigin): DeviceState {
  return {
    device: entry.device,
    origin,
    status: entry.status,
    since: entry.since,
    lastPollAt: entry.lastPollAt,
    lastSuccessAt: entry.lastSuccessAt,
    lastError: entry.lastError,
  };
}

/**
 * The monitor's devices: validates them with their driver's schema, keeps those created at run
 * time in the inventory store, tells the scheduler, and announces changes on the bus. Devices
 * from the config are read-only.
 */
export class Devices implements DeviceRegistry {
  readonly #origin = new Map<string, DeviceOrigin>();
  /**
   * When each device was last added, changed or removed here (a counter, moved on before and
   * after the store write): `reload` leaves alone what changed here while it read the store.
   */
  readonly #touched = new Map<string, number>();
  #changes = 0;
  /** Each stored device as `reload` last read it (JSON), so unchanged ones are skipped. */
  readonly #lastRead = new Map<string, string>();
  #started = false;

  constructor(
    private readonly drivers: ReadonlyMap<string, Driver>,
    private readonly store: InventoryStore,
    private readonly scheduler: Scheduler,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly defaultIntervalMs: number,
    /** Which hosts devices may name; every path in (config, store, API) is checked with it. */
    private readonly policy: AddressPolicy = addressPolicy(),
  ) {}

  /** Validates and schedules the config devices; throws one error listing every bad device. */
  loadConfig(devices: readonly unknown[]): void {
    const problems: string[] = [];
    const valid: Device[] = [];
    const ids = new Set<string>();
    for (const [i, raw] of devices.entries()) {
      try {
        const device = validateDevice(raw, this.drivers, this.policy);
        if (this.#origin.has(device.id) || ids.has(device.id)) {
          throw monitorError(ErrorCodes.DEVICE_DUPLICATE, `device "${device.id}": id: used twice`);
        }
        valid.push(device);
        ids.add(device.id);
      } catch (err) {
        problems.push(`devices[${i}]: ${describeError(err).message}`);
      }
    }
    if (problems.length)
      throw monitorError(ErrorCodes.DEVICE_INVALID, `invalid devices:\n  ${problems.join('\n  ')}`);
    for (const device of valid) this.#schedule(device, 'config', false);
  }

  /** Loads the devices kept in the store; a bad one is logged and skipped, never fatal. */
  async loadStore(): Promise<void> {
    for (const raw of await this.store.list()) {
      try {
        const device = validateDevice(raw, this.drivers, this.policy);
        if (this.#origin.get(device.id) === 'config') {
          this.logger.warn('stored device shadowed by a config device with the same id', {
            device: device.id,
          });
          continue;
        }
        this.#schedule(device, 'store', false);
      } catch (err) {
        this.logger.error('stored device is invalid; not polled', { error: describeError(err) });
      }
    }
  }

  /**
   * Catches up with the inventory store when other processes share it (API replicas, poller
   * replicas): devices stored elsewhere are scheduled, changed ones rescheduled, deleted ones
   * dropped, each with its bus event. Reads the store only, never writes it.
   */
  async reload(): Promise<{ added: number; changed: number; removed: number }> {
    // A device changed here while the store was being read is newer here than in that read.
    const readFrom = this.#changes;
    const newer = (id: string) => (this.#touched.get(id) ?? 0) > readFrom;
    const seen = new Set<string>();
    const stored = new Map<string, Device>();
    for (const raw of await this.store.list()) {
      const id = String((raw as Partial<Device>).id);
      seen.add(id);
      // Validating 10,000 devices every few seconds would cost real CPU: only what changed in
      // the store since the last read is looked at again.
      const json = JSON.stringify(raw);
      if (this.#lastRead.get(id) === json) continue;
      this.#lastRead.set(id, json);
      try {
        const device = validateDevice(raw, this.drivers, this.policy);
        if (this.#origin.get(device.id) !== 'config') stored.set(device.id, device);
      } catch (err) {
        this.logger.error('stored device is invalid; not polled', { error: describeError(err) });
      }
    }
    const result = { added: 0, changed: 0, removed: 0 };
    for (const [id, device] of stored) {
      if (newer(id)) continue;
      const previous = this.scheduler.entry(id)?.device;
      if (!previous) {
        this.#schedule(device, 'store', this.#started);
        this.bus.emit('device:added', { device });
        result.added++;
      } else if (stableJson(previous) !== stableJson(device)) {
        this.#schedule(device, 'store', false);
        this.bus.emit('device:changed', { device, previous });
        result.changed++;
      }
    }
    for (const [id, origin] of [...this.#origin]) {
      if (origin !== 'store' || seen.has(id) || newer(id)) continue;
      this.#lastRead.delete(id);
      const entry = this.scheduler.remove(id);
      this.#origin.delete(id);
      if (entry) this.bus.emit('device:removed', { device: entry.device });
      result.removed++;
    }
    return result;
  }

  /** From now on, added devices are polled at once. */
  markStarted(): void {
    this.#started = true;
  }

  list(): DeviceState[] {
    const out: DeviceState[] = [];
    for (const entry of this.scheduler.entries())
      out.push(stateOf(entry, this.#origin.get(entry.device.id) ?? 'store'));
    return out;
  }

  get(id: string): DeviceState | undefined {
    const entry = this.scheduler.entry(id);
    return entry && stateOf(entry, this.#origin.get(id) ?? 'store');
  }

  counts(): Record<DeviceStatus, number> {
    const counts: Record<DeviceStatus, number> = { unknown: 0, online: 0, unreachable: 0, offline: 0 };
    for (const entry of this.scheduler.entries()) counts[entry.status]++;
    return counts;
  }

  pollNow(id: string): boolean {
    return this.scheduler.pollNow(id);
  }

  async add(input: Device): Promise<DeviceState> {
    const device = validateDevice(input, this.drivers, this.policy);
    if (this.#origin.has(device.id)) {
      throw monitorError(
        ErrorCodes.DEVICE_DUPLICATE,
        `device "${device.id}": id: a device with this id exists`,
      );
    }
    checkParentLoop(device.id, device.parent, (id) => this.scheduler.entry(id)?.device.parent);
    this.#touch(device.id);
    await this.store.put(device);
    const entry = this.#schedule(device, 'store', this.#started);
    this.#touch(device.id);
    this.bus.emit('device:added', { device });
    return stateOf(entry, 'store');
  }

  async update(id: string, patch: Partial<Device>): Promise<DeviceState> {
    const previous = this.#writable(id);
    const device = validateDevice({ ...previous, ...patch, id }, this.drivers, this.policy);
    checkParentLoop(id, device.parent, (other) => this.scheduler.entry(other)?.device.parent);
    this.#touch(id);
    await this.store.put(device);
    const entry = this.#schedule(device, 'store', false);
    this.#touch(id);
    this.bus.emit('device:changed', { device, previous });
    return stateOf(entry, 'store');
  }

  async remove(id: string): Promise<void> {
    const device = this.#writable(id);
    this.#touch(id);
    await this.store.remove(id);
    this.#touch(id);
    this.scheduler.remove(id);
    this.#origin.delete(id);
    this.bus.emit('device:removed', { device });
  }

  #touch(id: string): void {
    this.#touched.set(id, ++this.#changes);
  }

  #writable(id: string): Device {
    const entry = this.scheduler.entry(id);
    if (!entry) throw monitorError(ErrorCodes.DEVICE_NOT_FOUND, `device "${id}" not found`);
    if (this.#origin.get(id) === 'config') {
      throw monitorError(
        ErrorCodes.DEVICE_READ_ONLY,
        `device "${id}" is defined in the config file; change it there, not through the API`,
      );
    }
    return entry.device;
  }

  #schedule(device: Device, origin: DeviceOrigin, pollNow: boolean): DeviceEntry {
    this.#origin.set(device.id, origin);
    const interval = device.interval === undefined ? this.defaultIntervalMs : parseDuration(device.interval);
    return this.scheduler.upsert(device, interval, pollNow);
  }
}

/** JSON with object keys sorted, so two equal devices compare equal whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
