/**
 * What every collector ("part") of a poll receives, and the helpers they share: emitting samples,
 * walking columns with the device's learned bulk settings, and reporting a failed table.
 */
import type { Device, InventoryFacts, Labels, Logger, PartError, Sample } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import type { EngineState } from '../engine-cache.js';
import { SnmpError, SnmpErrorCodes } from '../errors.js';
import type { SnmpSession } from '../session.js';
import type { SnmpSettings } from '../settings.js';
import { type BulkState, type ColumnRowsMap, walkColumns } from '../walk.js';

export type { ColumnRowsMap };

/** Slowly changing interface columns, cached per device. */
export interface InterfaceRow {
  index: number;
  name: string;
  descr?: string;
  alias?: string;
  type?: number;
  mac?: string;
  speedBps?: number;
}

/** Cache of the slow interface columns. */
export interface InterfaceCache {
  at: number;
  rows: Map<string, InterfaceRow>;
  /** ifIndexes that have 64-bit counters. */
  hc: Set<string>;
  /** IPv4 addresses by ifIndex (`ipAddrTable`); undefined when that walk failed. */
  addresses?: Map<string, string[]>;
}

/** What the driver remembers about one device between polls. */
export interface DeviceMemory {
  bulk: BulkState;
  /** Settings the bulk state was learned with: a change of maxRepetitions resets it. */
  configuredRepetitions: number;
  interfaces?: InterfaceCache;
  lastUptimeTicks?: number;
  /** SNMPv3: the agent's engine ID, boots and time from the last poll, so the next one skips discovery. */
  engine?: EngineState;
  /** Rows of the longest column on the last walk of each column set (see `walk`), to size requests. */
  walkRows?: Map<string, number>;
}

/** The context of one part of one poll. */
export interface PartContext {
  readonly device: Device;
  readonly settings: SnmpSettings;
  readonly session: SnmpSession;
  readonly memory: DeviceMemory;
  readonly logger: Logger;
  /** Timestamp of every sample of this poll. */
  readonly ts: number;
  readonly samples: Sample[];
  readonly facts: InventoryFacts;
  readonly partErrors: PartError[];
  /** Names already emitted with a given label set: lets one part skip what another covered. */
  readonly emitted: Set<string>;
}

/** A collector: one concern of a poll (interfaces, host resources, MikroTik health, …). */
export interface Part {
  /** Name in `partErrors` when the whole part fails. */
  readonly name: string;
  collect(ctx: PartContext): Promise<void>;
}

/** A value a part read: undefined (or non-finite) when the device did not give one. */
type Reading = Sample['value'] | undefined;

/**
 * The labels object `emit` made last, and what it was made from. A part emits an interface's
 * dozen samples with one labels object in a row; they share one stamped copy instead of a copy
 * each (nothing downstream changes a sample's labels but core's stamping, which writes the same
 * device's values into every copy alike). Keyed by the poll's samples array, so polls that
 * interleave never share.
 */
let lastStamp: { samples: Sample[]; from: Labels; to: Labels } | undefined;

/** Adds a sample carrying `device` and the given labels (as core's `pushSample`: skips missing values). */
export function emit(ctx: PartContext, name: string, labels: Labels, value: Reading): void {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
  let to = lastStamp?.to;
  if (lastStamp?.from !== labels || lastStamp.samples !== ctx.samples || to === undefined) {
    to = { device: ctx.device.id, ...labels };
    lastStamp = { samples: ctx.samples, from: labels, to };
  }
  ctx.samples.push({ name, labels: to, value, ts: ctx.ts });
  ctx.emitted.add(name);
}

/** Records a failed table of a part; the rest of the poll goes on. */
export function partError(ctx: PartContext, part: string, err: unknown): void {
  const e =
    err instanceof SnmpError
      ? err
      : new SnmpError(SnmpErrorCodes.INTERNAL, err instanceof Error ? err.message : String(err));
  ctx.partErrors.push({ part, code: e.code, message: e.message });
}

/**
 * Walks columns with the device's bulk state. A column cut short (loop, too many rows) is
 * reported under `partOf(column)` and its rows so far are kept. The row count of each column set
 * is remembered per device, so the next poll asks for no more than it expects (see `expectedRows`).
 */
export async function walk(
  ctx: PartContext,
  columns: string[],
  partOf: (column: string) => string,
): Promise<ColumnRowsMap> {
  const key = `${columns[0]}+${columns.length}`;
  if (!ctx.memory.walkRows) ctx.memory.walkRows = new Map();
  const walkRows = ctx.memory.walkRows;
  const result = await walkColumns(ctx.session, columns, {
    version: ctx.settings.version,
    state: ctx.memory.bulk,
    maxRows: ctx.settings.maxRows,
    expectedRows: walkRows.get(key),
  });
  let longest = 0;
  for (const rows of result.columns.values()) if (rows.size > longest) longest = rows.size;
  walkRows.set(key, longest);
  const reported = new Set<string>();
  for (const [column, err] of result.errors) {
    const part = partOf(column);
    if (reported.has(part)) continue;
    reported.add(part);
    partError(ctx, part, err);
  }
  return result.columns;
}

/** GET of scalars; a missing object is simply absent from the map. */
export async function getScalars(ctx: PartContext, oids: string[]): Promise<Map<string, Varbind>> {
  const out = new Map<string, Varbind>();
  let vbs: Varbind[];
  try {
    vbs = await ctx.session.get(oids);
  } catch (err) {
    // SNMPv1 fails the whole PDU with noSuchName when one object is missing: ask one by one.
    if (!(err instanceof SnmpError) || err.code !== SnmpErrorCodes.ERROR_STATUS || oids.length < 2) throw err;
    vbs = [];
    for (const oid of oids) {
      try {
        vbs.push(...(await ctx.session.get([oid])));
      } catch (inner) {
        if (!(inner instanceof SnmpError) || inner.code !== SnmpErrorCodes.ERROR_STATUS) throw inner;
      }
    }
  }
  for (const vb of vbs) {
    if (vb && typeof vb.oid === 'string' && vb.type < 128) out.set(vb.oid, vb);
  }
  return out;
}

/** The interface name of an ifIndex, from the cache; `if<index>` when unknown. */
export function ifNameOf(ctx: PartContext, ifIndex: string): string {
  return ctx.memory.interfaces?.rows.get(ifIndex)?.name ?? `if${ifIndex}`;
}

/**
 * OIDs under `base` by the names a part reads them as, one line per table instead of one line per
 * OID: `oidsUnder(IF_ENTRY, { descr: 2, type: 3 })` gives the columns `IF_ENTRY.2` and `IF_ENTRY.3`;
 * with `instance` `'.0'`, scalars (`oidsUnder(UCD, { memTotalReal: '4.5' }, '.0')` is `UCD.4.5.0`).
 */
export function oidsUnder<K extends string>(
  base: string,
  arcs: Record<K, number | string>,
  instance = '',
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of Object.keys(arcs) as K[]) out[name] = `${base}.${arcs[name]}${instance}`;
  return out;
}
