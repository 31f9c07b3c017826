/**
 * Alerts across replicas, used when a cluster plugin provides `tokens.Leadership`.
 *
 * - Evaluation is partitioned like polling: each replica evaluates the samples and statuses of the
 *   devices it owns (it only receives those). Before it evaluates a device it has newly taken
 *   over, it adopts that device's alerts from the shared StateStore, so a firing alert carries on
 *   rather than starting again. A device it no longer owns is forgotten without resolving anything.
 * - Notification runs on the leader only. Its dispatcher is fed from the alert state in the store
 *   (every replica's alerts), never from its own engine directly, so every term as leader starts
 *   from what the store says: the notification log, the outbox and what was handed over (`fed`).
 * - Silences and acknowledgements are re-read from the store on every sync, so one made through
 *   any replica applies on the leader and shows on every replica.
 */
import {
  type Clock,
  type DeviceOwnership,
  type DeviceRegistry,
  describeError,
  type Leadership,
  type Logger,
} from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import type { Dispatcher } from './dispatcher.js';
import type { AlertEngine } from './engine.js';
import { NS, type StateWriter } from './persist.js';
import type { Ack, Silence, Suppressor } from './suppress.js';

/** One term of notification work on the leader. */
export interface LeaderDispatch {
  dispatcher: Dispatcher;
  stop(): void;
}

export interface ClusterAlertsDeps {
  clock: Clock;
  logger: Logger;
  leadership: Leadership;
  ownership: DeviceOwnership | undefined;
  devices: () => DeviceRegistry | undefined;
  writer: () => StateWriter;
  engine: AlertEngine;
  suppressor: Suppressor;
  /** Rules marked `deviceDown` (their firing alerts mute the device's descendants). */
  downRules: ReadonlySet<string>;
  /** Builds a dispatcher and delivery for a term as leader, loaded from the store. */
  startDispatch(): Promise<LeaderDispatch>;
  /** Time between syncs. */
  interval: number;
}

const deviceOf = (a: AlertRecord): string | undefined => a.device ?? a.labels.device;
/** Events kept per device while its alerts are being adopted (the oldest are dropped beyond). */
const MAX_WAITING = 20;

export class ClusterAlerts {
  readonly #d: ClusterAlertsDeps;
  /** Owned devices whose stored alerts have been adopted. */
  readonly #adopted = new Set<string>();
  /** Events of devices waiting for their adoption, in order. */
  readonly #waiting = new Map<string, Array<() => void>>();
  #adopting: Promise<void> | undefined;
  /** Every replica's alerts, as of the last sync. */
  #snapshot: AlertRecord[] = [];
  #dispatch: LeaderDispatch | undefined;
  #gaining = false;
  /** Visible alerts handed to the dispatcher in this term (and, through the store, in earlier ones). */
  #fed = new Map<string, AlertRecord>();
  #firing: AlertRecord[] = [];
  #down = new Set<string>();
  #version = 0;
  /** Bumped by local silence and ack changes: a sync that overlaps one does not overwrite it. */
  #localEdits = 0;
  #timer: unknown;
  #syncing: Promise<void> | undefined;
  #stopped = false;
  #failing = false;

  constructor(deps: ClusterAlertsDeps) {
    this.#d = deps;
  }

  owns(device: string): boolean {
    return this.#d.ownership?.owns(device) ?? true;
  }

  /** Whether this replica runs the notifications now. */
  get dispatching(): boolean {
    return this.#dispatch !== undefined;
  }

  /** Firing alerts of the whole cluster (for inhibition on the leader). */
  firing(): Iterable<AlertRecord> {
    return this.#firing;
  }

  /** Changes whenever the cluster's set of firing alerts does. */
  version(): number {
    return this.#version;
  }

  /** Whether a device's device-down alert is firing anywhere in the cluster. */
  deviceDown(id: string): boolean {
    return this.#down.has(id);
  }

  /**
   * A device's status, when this replica polls it. The status another replica's device last had
   * here is stale, so topology muting relies on that device's device-down alert instead.
   */
  registry(): Pick<DeviceRegistry, 'get'> | undefined {
    const reg = this.#d.devices();
    if (!reg) return undefined;
    return {
      get: (id) => {
        const st = reg.get(id);
        return st && !this.owns(id) ? { ...st, status: 'unknown' } : st;
      },
    };
  }

  /** Alerts for the API: this replica's own, plus the other replicas' as of the last sync. */
  *all(): Iterable<AlertRecord> {
    const local = this.#d.engine.active;
    yield* local.values();
    for (const a of this.#snapshot) {
      const device = deviceOf(a);
      if (!local.has(a.fingerprint) && (device === undefined || !this.#adopted.has(device))) yield a;
    }
  }

  /** Call when a silence or ack changed through this replica's API. */
  localEdit(): void {
    this.#localEdits++;
  }

  /**
   * Runs `evaluate` for an event of `device`: at once when its alerts are adopted, after the
   * adoption when not yet, never when this replica does not own it.
   */
  accept(device: string, evaluate: () => void): void {
    if (this.#stopped || !this.owns(device)) return;
    if (this.#adopted.has(device)) {
      evaluate();
      return;
    }
    const list = this.#waiting.get(device);
    if (!list) this.#waiting.set(device, [evaluate]);
    else if (list.push(evaluate) > MAX_WAITING) list.shift();
    this.#adopting ??= this.#adoptWaiting().finally(() => {
      this.#adopting = undefined;
    });
  }

  async #adoptWaiting(): Promise<void> {
    while (this.#waiting.size > 0 && !this.#stopped) await this.#adopt();
  }

  async #adopt(): Promise<void> {
    const { engine } = this.#d;
    try {
      // Our own writes first: a device given away and taken back must not get older state back.
      await this.#d.writer().flush();
      const records = await this.#d.writer().store.list<AlertRecord>(NS.alerts);
      const devices = new Set(this.#waiting.keys());
      for (const st of this.#d.devices()?.list() ?? []) {
        if (!this.#adopted.has(st.device.id) && this.owns(st.device.id)) devices.add(st.device.id);
      }
      const back: AlertRecord[] = [];
      for (const { value } of records) {
        const device = deviceOf(value);
        if (device !== undefined && devices.has(device) && !engine.active.has(value.fingerprint))
          back.push(value);
      }
      engine.restore(back);
      for (const id of devices) if (this.owns(id)) this.#adopted.add(id);
      if (back.length > 0)
        this.#d.logger.info('alerts: adopted the alerts of devices taken over', { alerts: back.length });
    } catch (err) {
      // Nothing is evaluated for these devices until their state can be read.
      this.#d.logger.warn('alerts: cannot read the shared alert state; retrying', describeError(err));
      await new Promise<void>((r) => this.#d.clock.setTimeout(r, this.#d.interval));
      for (const device of [...this.#waiting.keys()]) if (!this.owns(device)) this.#waiting.delete(device);
      return;
    }
    for (const [device, steps] of [...this.#waiting]) {
      if (!this.#adopted.has(device)) continue;
      this.#waiting.delete(device);
      for (const step of steps) {
        try {
          step();
        } catch (err) {
          this.#d.logger.error('alert evaluation failed', { device, ...describeError(err) });
        }
      }
    }
    for (const device of [...this.#waiting.keys()]) if (!this.owns(device)) this.#waiting.delete(device);
  }

  /** Forgets the devices this replica no longer owns (before each evaluation tick and sync). */
  sweep(): void {
    const gone = new Set<string>();
    for (const id of this.#adopted) if (!this.owns(id)) gone.add(id);
    if (gone.size === 0) return;
    for (const id of gone) this.#adopted.delete(id);
    this.#d.engine.forget(gone);
  }

  start(): void {
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#d.clock.setTimeout(() => {
      this.#syncing = this.sync()
        .catch((err: unknown) => this.#d.logger.error('alerts: sync failed', describeError(err)))
        .finally(() => {
          this.#syncing = undefined;
          this.#schedule(this.#d.interval);
        });
    }, ms);
  }

  /** One round: re-read silences, acks and every replica's alerts; start, feed or stop the leader's work. */
  async sync(): Promise<void> {
    this.sweep();
    try {
      const writer = this.#d.writer();
      const edits = this.#localEdits;
      await writer.flush();
      // One after the other: the store may share a small connection pool with sample ingest.
      const silences = await writer.store.list<Silence>(NS.silences);
      const acks = await writer.store.list<Ack>(NS.acks);
      const alerts = await writer.store.list<AlertRecord>(NS.alerts);
      if (edits === this.#localEdits) this.#refreshMutes(silences, acks);
      this.#snapshot = alerts.map((a) => a.value);
      if (this.#failing) this.#d.logger.info('alerts: shared alert state readable again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing)
        this.#d.logger.warn('alerts: cannot read the shared alert state', describeError(err));
      this.#failing = true;
    }
    const leader = this.#d.leadership.isLeader() && !this.#failing && !this.#stopped;
    if (!leader && this.#dispatch) {
      this.#dispatch.stop();
      this.#dispatch = undefined;
      this.#d.logger.info('alerts: no longer the leader; notifications stop here');
    }
    if (leader && !this.#dispatch && !this.#gaining) {
      this.#gaining = true;
      try {
        const fed = await this.#d.writer().store.list<AlertRecord>(NS.fed);
        const dispatch = await this.#d.startDispatch();
        if (this.#stopped || !this.#d.leadership.isLeader()) dispatch.stop();
        else {
          this.#fed = new Map(fed.map((f) => [f.key, f.value]));
          this.#dispatch = dispatch;
          this.#d.logger.info('alerts: leader; notifications run here', { handedOver: fed.length });
        }
      } catch (err) {
        this.#d.logger.warn('alerts: cannot take over the notifications yet', describeError(err));
      } finally {
        this.#gaining = false;
      }
    }
    if (this.#dispatch) this.#feed(this.#dispatch.dispatcher);
  }

  #refreshMutes(silences: Array<{ key: string; value: Silence }>, acks: Array<{ key: string; value: Ack }>) {
    const { suppressor } = this.#d;
    const stored = new Set(silences.map((s) => s.key));
    for (const id of [...suppressor.silences.keys()])
      if (!id.startsWith('config-') && !stored.has(id)) suppressor.deleteSilence(id);
    for (const { value } of silences) suppressor.putSilence(value);
    suppressor.acks.clear();
    for (const { key, value } of acks) suppressor.acks.set(key, value);
  }

  /** Hands the cluster's visible alerts to the dispatcher; those gone since are resolved. */
  #feed(dispatcher: Dispatcher): void {
    const now = this.#d.clock.now();
    const writer = this.#d.writer();
    const visible = new Map<string, AlertRecord>();
    for (const a of this.#snapshot) if (a.visible) visible.set(a.fingerprint, a);
    for (const [fp, a] of visible) {
      dispatcher.update(a, 'firing');
      const before = this.#fed.get(fp);
      if (before && before.firedAt === a.firedAt && before.flapping === a.flapping) continue;
      this.#fed.set(fp, a);
      writer.put(NS.fed, fp, a);
    }
    for (const [fp, a] of this.#fed) {
      if (visible.has(fp)) continue;
      dispatcher.update({ ...a, state: 'resolved', visible: false, resolvedAt: now }, 'resolved');
      this.#fed.delete(fp);
      writer.put(NS.fed, fp, undefined);
    }
    // Bumped on every feed: a new term must not reuse an inhibition index built in an older one.
    this.#version++;
    this.#firing = [...visible.values()];
    this.#down = new Set();
    for (const a of this.#firing) {
      const device = deviceOf(a);
      if (device !== undefined && this.#d.downRules.has(a.rule)) this.#down.add(device);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#d.clock.clearTimeout(this.#timer);
    await this.#syncing;
    await this.#adopting;
    this.#dispatch?.stop();
    this.#dispatch = undefined;
  }
}
