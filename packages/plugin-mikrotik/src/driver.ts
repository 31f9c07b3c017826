/**
 * The MikroTik driver: one persistent API connection per router (see `api/pool.ts`), the
 * router's capabilities learned from itself, and the collectors of `parts/` run concurrently on
 * that connection (tagged commands). A menu that fails is a part error; a connection that fails
 * is the poll's error. Nothing escapes as a throw.
 */
import { setMaxListeners } from 'node:events';
import { type Device, type Driver, defineDriver, type PollContext, type PollResult } from '@ispmonitor/core';
import { CaFiles, isPemText } from './api/ca.js';
import { ConnectionPool, type RouterTarget } from './api/pool.js';
import type { TlsSettings } from './api/tls.js';
import { MikrotikError, MikrotikErrorCodes } from './errors.js';
import { collectArp } from './parts/arp.js';
import { newMemory, type PollScope, type RouterMemory } from './parts/context.js';
import { collectInterfaces } from './parts/interfaces.js';
import { collectBgp, collectNeighbours, collectQueues } from './parts/routing.js';
import { collectDhcp, collectPpp } from './parts/subscribers.js';
import { collectHealth, collectSystem } from './parts/system.js';
import { collectWireless } from './parts/wireless.js';
import { type SessionChange, SessionTracker } from './sessions.js';
import {
  type MikrotikOptionsInput,
  type MikrotikSettings,
  optionsSchema,
  settingsSchema,
} from './settings.js';

/** Options of `createMikrotikDriver`: the plugin's options plus hooks. */
export interface MikrotikDriverOptions extends NonNullable<MikrotikOptionsInput> {
  /** Called when PPPoE sessions appeared or vanished on a router since its previous poll. */
  onSessionChange?: (change: SessionChange) => void;
  /**
   * Whether a device comes from the config file (or from the code that made the monitor): only
   * those may name a CA file in `mikrotik.ca`. Default: no device may (PEM text only).
   */
  isConfigDevice?: (deviceId: string) => boolean;
}

/** The driver, with a way to drop what it holds for one device. */
export interface MikrotikDriver extends Driver<MikrotikSettings> {
  readonly kind: 'mikrotik';
  /** Closes the device's connection and forgets what was learned about it. */
  forget(deviceId: string): void;
  /** Open API connections. */
  readonly openConnections: number;
  /**
   * Reads the CA file a config device names (`settings` are its parsed `device.mikrotik`), ahead
   * of its first poll (the plugin calls it at start). Resolves when there is nothing to read or
   * it was read; rejects with why not.
   */
  preloadCa(device: Device, settings: MikrotikSettings): Promise<void>;
  close(): Promise<void>;
}

function targetOf(device: Device, s: MikrotikSettings, ca: string | undefined): RouterTarget {
  let tls: TlsSettings | false = false;
  if (s.tls) {
    tls = {};
    if (ca !== undefined) tls.ca = ca;
    if (s.fingerprint !== undefined) tls.fingerprint = s.fingerprint;
    if (s.checkHostname !== undefined) tls.checkHostname = s.checkHostname;
    if (s.servername !== undefined) tls.servername = s.servername;
  }
  return {
    host: device.host,
    port: device.port ?? (s.tls ? 8729 : 8728),
    tls,
    username: s.username,
    password: s.password,
    timeoutMs: s.timeout,
  };
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof MikrotikError) return { code: err.code, message: err.message };
  // Our own bug, not the router's: keep the message generic (it could quote anything).
  return { code: MikrotikErrorCodes.INTERNAL, message: `internal error: ${(err as Error)?.name ?? 'error'}` };
}

/** Creates the MikroTik driver. */
export function createMikrotikDriver(options: MikrotikDriverOptions = {}): MikrotikDriver {
  const { onSessionChange, isConfigDevice = () => false, ...rest } = options;
  const opts = optionsSchema.parse(rest);
  const caFiles = new CaFiles();

  /**
   * The CA as PEM text: the setting itself, or the text of the file it names when the device is
   * a config device. The file system is never touched for any other device, so its error says
   * nothing about which files exist.
   */
  async function caOf(device: Device, settings: MikrotikSettings): Promise<string | undefined> {
    const ca = settings.ca;
    if (!settings.tls || ca === undefined || isPemText(ca)) return ca;
    if (!isConfigDevice(device.id)) {
      throw new MikrotikError(
        MikrotikErrorCodes.CONFIG,
        'mikrotik.ca names a file, which only devices of the config file may: give the CA as PEM text',
      );
    }
    return caFiles.get(ca);
  }
  const pool = new ConnectionPool({
    maxConnections: opts.maxConnections,
    keepaliveMs: opts.keepalive,
    minBackoffMs: opts.minBackoff,
    maxBackoffMs: opts.maxBackoff,
  });
  const memories = new Map<string, RouterMemory>();

  // `settings` were parsed from `device.mikrotik` by core when the device was added or changed.
  async function poll(device: Device, settings: MikrotikSettings, ctx: PollContext): Promise<PollResult> {
    // One signal of our own per poll: a dozen concurrent commands listen to it, more than the
    // default listener limit of an AbortSignal (which would print a leak warning).
    const local = new AbortController();
    setMaxListeners(64, local.signal);
    const onAbort = () => local.abort(ctx.signal.reason);
    if (ctx.signal.aborted) local.abort(ctx.signal.reason);
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    const signal = local.signal;
    try {
      const ca = await caOf(device, settings);
      const lease = await pool.acquire(device.id, targetOf(device, settings, ca), signal);
      let memory = memories.get(device.id);
      if (!memory) {
        memory = newMemory(opts.reprobeInterval, new SessionTracker());
        memories.set(device.id, memory);
      }
      if (memory.generation !== lease.generation) {
        // A new connection may be a new router (upgrade, replaced board): learn it again.
        memory.generation = lease.generation;
        memory.caps = undefined;
        memory.ssids = undefined;
        memory.speeds = undefined;
        memory.missing.clear();
      }
      const now = Date.now();
      const scope: PollScope = {
        device,
        settings,
        conn: lease.conn,
        memory,
        logger: ctx.logger,
        signal,
        now,
        reprobeMs: opts.reprobeInterval,
        ts: now,
        samples: [],
        facts: {},
        partErrors: [],
        shared: new Map(),
      };
      await collectSystem(scope, opts.reprobeInterval);
      const want = new Set(settings.collect);
      const parts: Array<Promise<void>> = [];
      if (want.has('health')) parts.push(collectHealth(scope));
      if (want.has('interfaces')) parts.push(collectInterfaces(scope));
      if (want.has('ppp')) parts.push(collectPpp(scope, onSessionChange));
      if (want.has('dhcp')) parts.push(collectDhcp(scope));
      if (want.has('wireless')) parts.push(collectWireless(scope));
      if (want.has('queues')) parts.push(collectQueues(scope));
      if (want.has('bgp')) parts.push(collectBgp(scope));
      if (want.has('neighbours')) parts.push(collectNeighbours(scope));
      if (want.has('arp')) parts.push(collectArp(scope));
      await Promise.all(parts);
      if (scope.fatal) return { samples: [], error: errorOf(scope.fatal) };
      const result: PollResult = { samples: scope.samples, facts: scope.facts };
      if (scope.partErrors.length > 0) result.partErrors = scope.partErrors;
      return result;
    } catch (err) {
      return { samples: [], error: errorOf(err) };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  async function close(): Promise<void> {
    pool.close();
    memories.clear();
    caFiles.forget();
  }

  return defineDriver({
    kind: 'mikrotik',
    settings: settingsSchema,
    poll,
    close,
    forget(deviceId: string) {
      pool.forget(deviceId);
      memories.delete(deviceId);
    },
    get openConnections() {
      return pool.openCount;
    },
    async preloadCa(device: Device, settings: MikrotikSettings) {
      await caOf(device, settings);
    },
  });
}
