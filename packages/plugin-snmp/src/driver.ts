/**
 * The SNMP driver: one poll opens one session, reads the system group, picks the device's
 * profile and runs its parts. Whatever the device does, `poll` resolves: an unreachable device
 * is a result with `error`, a failed table is a `partErrors` entry next to everything else.
 */
import {
  type Clock,
  catalog,
  type Device,
  type Driver,
  defineDriver,
  type PartError,
  type PollContext,
  type PollResult,
  type Sample,
  type SystemFact,
  systemClock,
} from '@ispmonitor/core';
import { engineKey } from './engine-cache.js';
import { SnmpError, SnmpErrorCodes } from './errors.js';
import type { DeviceMemory, PartContext } from './parts/context.js';
import { type ProfileName, partsFor, profileFor, vendorOf } from './profiles.js';
import { SnmpSession } from './session.js';
import { type SnmpSettings, settingsSchema } from './settings.js';
import { numberValue, oidValue, textValue } from './values.js';

const SYS = {
  descr: '1.3.6.1.2.1.1.1.0',
  objectId: '1.3.6.1.2.1.1.2.0',
  upTime: '1.3.6.1.2.1.1.3.0',
  name: '1.3.6.1.2.1.1.5.0',
};

/**
 * Errors of a poll's first request that may mean the cached SNMPv3 engine state is stale (the
 * agent was replaced, or its boots/time moved in a way net-snmp's one automatic resend did not
 * cover): the request is repeated once with a fresh discovery before the device is blamed.
 */
const STALE_ENGINE_CODES: ReadonlySet<string> = new Set([
  SnmpErrorCodes.AUTH,
  SnmpErrorCodes.BAD_RESPONSE,
  SnmpErrorCodes.DECRYPT,
]);

/** Timeouts of parts tolerated in one poll before the remaining parts are skipped. */
const MAX_PART_TIMEOUTS = 2;

/** Options of `createSnmpDriver`. */
export interface SnmpDriverOptions {
  /** Time source of sample timestamps and cache ages. Default the system clock. */
  clock?: Clock;
}

/** The SNMP driver, plus what tests and benchmarks inspect. */
export interface SnmpDriver extends Driver<SnmpSettings> {
  readonly kind: 'snmp';
  /** What the driver learned about a device (bulk size, caches), for diagnostics. */
  memoryOf(deviceId: string): Readonly<DeviceMemory> | undefined;
  /** Drops what the driver remembers about a device (called when it is removed). */
  forget(deviceId: string): void;
  /** Requests sent, datagrams sent (round trips, with discovery and retries) and varbinds received since the driver was made. */
  readonly stats: { requests: number; datagrams: number; varbinds: number; polls: number };
}

/** Makes the SNMP driver. */
export function createSnmpDriver(options: SnmpDriverOptions = {}): SnmpDriver {
  const clock = options.clock ?? systemClock;
  const memories = new Map<string, DeviceMemory>();
  const stats = { requests: 0, datagrams: 0, varbinds: 0, polls: 0 };

  const memoryFor = (device: Device, settings: SnmpSettings): DeviceMemory => {
    let m = memories.get(device.id);
    if (!m || m.configuredRepetitions !== settings.maxRepetitions) {
      m = {
        bulk: { maxRepetitions: settings.maxRepetitions, backoffs: 0 },
        configuredRepetitions: settings.maxRepetitions,
      };
      memories.set(device.id, m);
    }
    return m;
  };

  // `settings` were parsed from `device.snmp` by core when the device was added or changed.
  async function poll(device: Device, settings: SnmpSettings, ctx: PollContext): Promise<PollResult> {
    stats.polls++;
    const memory = memoryFor(device, settings);
    const samples: Sample[] = [];
    const partErrors: PartError[] = [];
    const ts = clock.now();
    let session: SnmpSession | undefined;
    const target = { host: device.host, port: settings.port ?? device.port ?? 161 };
    const key =
      settings.version === '3'
        ? engineKey(`${target.host}:${target.port}`, settings.username ?? '', settings.context ?? '')
        : undefined;
    const cached = key !== undefined && memory.engine?.key === key ? memory.engine : undefined;
    const count = (s: SnmpSession) => {
      stats.requests += s.requests;
      stats.datagrams += s.datagrams;
      stats.varbinds += s.varbinds;
    };
    try {
      session = new SnmpSession(target, settings, ctx.signal, cached);
      let sysVarbinds: Awaited<ReturnType<SnmpSession['get']>>;
      try {
        sysVarbinds = await session.get(Object.values(SYS));
      } catch (err) {
        if (!cached || !(err instanceof SnmpError) || !STALE_ENGINE_CODES.has(err.code)) throw err;
        // Stale engine state: forget it and discover again on a new session, once.
        memory.engine = undefined;
        session.close();
        count(session);
        session = new SnmpSession(target, settings, ctx.signal);
        sysVarbinds = await session.get(Object.values(SYS));
      }
      const sys = new Map(sysVarbinds.map((vb) => [vb.oid, vb]));
      const system: SystemFact = {};
      const name = textValue(sys.get(SYS.name));
      const descr = textValue(sys.get(SYS.descr));
      const objectId = oidValue(sys.get(SYS.objectId));
      const ticks = numberValue(sys.get(SYS.upTime));
      if (name) system.name = name;
      if (descr) system.description = descr;
      if (objectId) system.objectId = objectId;
      const profile: ProfileName = settings.profile ?? profileFor(objectId);
      const vendor = vendorOf[profile];
      if (vendor) system.vendor = vendor;
      if (ticks !== undefined) {
        system.uptimeSeconds = ticks / 100;
        samples.push({
          name: catalog.deviceUptime.name,
          labels: { device: device.id },
          value: ticks / 100,
          ts,
        });
        if (memory.lastUptimeTicks !== undefined && ticks < memory.lastUptimeTicks) {
          // Uptime fell: the device rebooted (or sysUpTime wrapped after 497 days). Interface
          // indexes may have been renumbered, so the slow cache is refreshed now.
          memory.interfaces = undefined;
          partErrors.push({
            part: 'system',
            code: SnmpErrorCodes.REBOOTED,
            message: `sysUpTime fell from ${memory.lastUptimeTicks / 100}s to ${ticks / 100}s: the device restarted`,
          });
        }
        memory.lastUptimeTicks = ticks;
      }
      const partCtx: PartContext = {
        device,
        settings,
        session,
        memory,
        logger: ctx.logger,
        ts,
        samples,
        facts: { system },
        partErrors,
        emitted: new Set(),
      };
      let timeouts = 0;
      for (const part of partsFor(profile, settings.oids.length + settings.tables.length > 0)) {
        if (session.closed) break;
        if (timeouts >= MAX_PART_TIMEOUTS) {
          partErrors.push({
            part: part.name,
            code: SnmpErrorCodes.TIMEOUT,
            message: 'skipped: the device stopped answering',
          });
          continue;
        }
        try {
          await part.collect(partCtx);
        } catch (err) {
          const e =
            err instanceof SnmpError
              ? err
              : new SnmpError(SnmpErrorCodes.INTERNAL, String((err as Error)?.message ?? err));
          if (e.code === SnmpErrorCodes.ABORTED) throw e;
          if (e.code === SnmpErrorCodes.TIMEOUT) timeouts++;
          if (e.code === SnmpErrorCodes.INTERNAL)
            ctx.logger.warn('snmp part failed', { device: device.id, part: part.name, error: e.message });
          partErrors.push({ part: part.name, code: e.code, message: e.message });
        }
      }
      const result: PollResult = { samples, facts: partCtx.facts };
      if (partErrors.length > 0) result.partErrors = partErrors;
      return result;
    } catch (err) {
      const e =
        err instanceof SnmpError
          ? err
          : new SnmpError(SnmpErrorCodes.INTERNAL, `poll failed: ${(err as Error)?.message ?? String(err)}`);
      // Credentials or agent may have changed: the next poll starts with discovery.
      if (STALE_ENGINE_CODES.has(e.code)) memory.engine = undefined;
      const result: PollResult = { samples, error: { code: e.code, message: e.message } };
      if (partErrors.length > 0) result.partErrors = partErrors;
      return result;
    } finally {
      if (session) {
        if (key !== undefined) memory.engine = session.engine(key) ?? memory.engine;
        session.close();
        count(session);
      }
    }
  }

  return defineDriver({
    kind: 'snmp',
    settings: settingsSchema,
    poll,
    memoryOf: (id: string) => memories.get(id),
    forget: (id: string) => {
      memories.delete(id);
    },
    stats,
    // Per-device memory only: sessions are opened and closed within each poll.
    async close() {
      memories.clear();
    },
  });
}
