/**
 * What every collector ("part") of a poll receives: the connection, the router's memory, and
 * helpers to run a menu (with `.proplist`, the row bound and the missing-menu memory) and to emit
 * samples. A part that fails is recorded; a connection-level failure ends the poll.
 */
import type { Device, InventoryFacts, Labels, Logger, PartError, Sample } from '@ispmonitor/core';
import type { ApiConnection, Row } from '../api/connection.js';
import { type Capabilities, MissingMenus } from '../capabilities.js';
import { MikrotikError, MikrotikErrorCodes } from '../errors.js';
import type { SessionTracker } from '../sessions.js';
import type { MikrotikSettings } from '../settings.js';
import type { SpeedMemory } from './speeds.js';

/** What the driver remembers about one router between polls. */
export interface RouterMemory {
  /** Connection generation the memory belongs to: a reconnect re-probes. */
  generation: number;
  caps?: Capabilities;
  capsAt: number;
  missing: MissingMenus;
  sessions: SessionTracker;
  /** SSID of each legacy wireless interface (`/interface/wireless`), read rarely. */
  ssids?: { at: number; ok: boolean; byInterface: Map<string, string> };
  /** Negotiated speeds of ethernet ports (`./speeds.ts`), read on link changes and re-probes. */
  speeds?: SpeedMemory;
}

/** Codes that mean the connection (not one menu) failed: the whole poll fails with them. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  MikrotikErrorCodes.CLOSED,
  MikrotikErrorCodes.TIMEOUT,
  MikrotikErrorCodes.FATAL,
  MikrotikErrorCodes.PROTOCOL,
  MikrotikErrorCodes.ABORTED,
]);

/** The context of one poll. */
export interface PollScope {
  readonly device: Device;
  readonly settings: MikrotikSettings;
  readonly conn: ApiConnection;
  readonly memory: RouterMemory;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: number;
  /** How often what was learned about the router is read again (`reprobeInterval`). */
  readonly reprobeMs: number;
  /** Timestamp of every sample of this poll. */
  readonly ts: number;
  readonly samples: Sample[];
  readonly facts: InventoryFacts;
  readonly partErrors: PartError[];
  /** Menus read once per poll for several parts (`sharedMenu`). */
  readonly shared: Map<string, Promise<Row[] | undefined>>;
  /** The first connection-level failure, which turns the poll into an error result. */
  fatal?: MikrotikError;
}

/** A collector: one concern of a poll. */
export type Part = (scope: PollScope) => Promise<void>;

/** Adds a sample; skips undefined and non-finite values. */
export function emit(
  scope: PollScope,
  name: string,
  labels: Labels,
  value: number | bigint | undefined,
): void {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
  scope.samples.push({ name, labels: { device: scope.device.id, ...labels }, value, ts: scope.ts });
}

/**
 * Reads `path/print` with only the `fields` we use. Resolves `undefined` when the menu failed or
 * is missing (recorded: a part error, the missing-menu memory, or the poll's fatal error).
 */
export async function readMenu(
  scope: PollScope,
  path: string,
  fields: readonly string[],
  extra: readonly string[] = [],
): Promise<Row[] | undefined> {
  if (scope.fatal) return undefined;
  if (scope.memory.missing.skip(path, scope.now)) return undefined;
  try {
    const words = [`${path}/print`, ...extra];
    if (fields.length > 0) words.push(`=.proplist=${fields.join(',')}`);
    return await scope.conn.command(words, {
      timeoutMs: scope.settings.timeout,
      maxRows: scope.settings.maxRows,
      signal: scope.signal,
    });
  } catch (err) {
    const e =
      err instanceof MikrotikError ? err : new MikrotikError(MikrotikErrorCodes.INTERNAL, String(err));
    if (e.code === MikrotikErrorCodes.NO_SUCH_COMMAND) {
      // Expected on routers without the package: remembered, retried on the slow cycle only.
      scope.memory.missing.mark(path, scope.now);
      scope.logger.debug('mikrotik menu missing; skipped until re-probe', { path });
    } else if (CONNECTION_CODES.has(e.code)) {
      scope.fatal ??= e;
    } else {
      scope.partErrors.push({ part: path, code: e.code, message: e.message });
    }
    return undefined;
  }
}

/**
 * `readMenu` once per poll for every part that asks with the same fields: `/interface` serves
 * both the interface counters and the byte counters of PPP sessions.
 */
export function sharedMenu(
  scope: PollScope,
  path: string,
  fields: readonly string[],
): Promise<Row[] | undefined> {
  const key = `${path}\u0000${fields.join(',')}`;
  let read = scope.shared.get(key);
  if (!read) {
    read = readMenu(scope, path, fields);
    scope.shared.set(key, read);
  }
  return read;
}

/** Whether `path` is a menu this router lacks (after a `readMenu` that resolved undefined). */
export function isMissing(scope: PollScope, path: string): boolean {
  return scope.memory.missing.skip(path, scope.now);
}

/** Fresh memory for a router. */
export function newMemory(reprobeMs: number, sessions: SessionTracker): RouterMemory {
  return { generation: -1, capsAt: 0, missing: new MissingMenus(reprobeMs), sessions };
}
