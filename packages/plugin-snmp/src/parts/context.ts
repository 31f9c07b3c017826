/**
 * What every collector ("part") of a poll receives, and the helpers they share: emitting samples,
 * walking columns with the device's learned bulk settings, and reporting a failed table.
 */
import type { Device, InventoryFacts, Labels, Logger, PartError, Sample } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import type { EngineState } from '../engine-cache.js';
import { SnmpError, SnmpErrorCodes } from '../errors.js';
import type { WalkedRows } from '../rows.js';
import type { SnmpSession } from '../session.js';
import type { SnmpSettings } from '../settings.js';
import { type BulkState, type ColumnRowsMap, walkColumns } from '../walk.js';

export type { ColumnRowsMap };

/**
 * One interface of the cache, as `InterfaceCache.numbers` holds it: `IF_STRIDE` numbers per
 * interface, at these offsets. A number the device did not give is NaN.
 */
export const IfField = {
  /** ifIndex, as `Number` of the row's index. */
  index: 0,
  /** ifType. */
  type: 1,
  /** Speed in bit/s (ifHighSpeed × 10⁶ when above 0, else ifSpeed). */
  speed: 2,
  /** 1 when the interface has 64-bit counters (ifHCInOctets), else 0. */
  hc: 3,
} as const;
/** Numbers per interface in `InterfaceCache.numbers`. */
export const IF_STRIDE = 4;

/**
 * Cache of the slow interface columns, one entry per interface in the order they were found
 * ("position"), held as a few arrays rather than an object and map entries per interface: the
 * poller keeps this for every router, and a router's 28 interfaces as objects cost ~8 KB of heap.
 * `numbers`, `names`, `descrs` and `aliases` never change once made, so routers that have the
 * same (one model, one configuration) hold one copy (see `shared` in interfaces.ts).
 */
export interface InterfaceCache {
  at: number;
  /** Interfaces cached. */
  size: number;
  /** `IF_STRIDE` numbers per interface (see `IfField`): a double array, no object per value. */
  numbers: number[];
  /** Interface names (ifName, else ifDescr, else `if<index>`; made unique). */
  names: string[];
  /** ifDescr by position (undefined: none); the very `names` array when every one equals its name. */
  descrs: (string | undefined)[];
  /** ifPhysAddress of 6 bytes as a 48-bit number by position (NaN: none); undefined when none is. */
  macs?: number[];
  /** ifAlias: `[position, alias, …]` by ascending position; undefined when no interface has one. */
  aliases?: (number | string)[];
  /** ifPhysAddress as text where it is not 6 bytes: `[position, text, …]`; undefined when none. */
  macTexts?: (number | string)[];
  /** Index strings by position, only when some index is not the canonical text of its number. */
  keys?: string[];
  /** Positions in ascending ifIndex order, only when found in another order (for lookups by ifIndex). */
  order?: number[];
  /** ifIndexes that have 64-bit counters (ifHCInOctets rows), whether or not an interface row exists. */
  hcCount: number;
  /**
   * IPv4 addresses (`ipAddrTable`) as `[position, address, position, address, …]` by ascending
   * position, an address being its 32 bits × 64 + prefix length; undefined when that walk failed.
   */
  addresses?: number[];
}

/** The index string of the interface at `pos` (its walk index). */
export function ifKeyAt(cache: InterfaceCache, pos: number): string {
  return cache.keys ? (cache.keys[pos] as string) : String(cache.numbers[pos * IF_STRIDE + IfField.index]);
}

/** The position of the interface whose index string is `key`, or -1. */
export function ifPositionOf(cache: InterfaceCache, key: string): number {
  if (cache.keys) return cache.keys.indexOf(key);
  const n = Number(key);
  if (!Number.isFinite(n)) return -1;
  const { numbers, order } = cache;
  // Binary search by ifIndex, over the positions (or `order` when they are not ascending).
  let lo = 0;
  let hi = cache.size - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const pos = order ? (order[mid] as number) : mid;
    const at = numbers[pos * IF_STRIDE + IfField.index] as number;
    if (at === n) return String(n) === key ? pos : -1;
    if (at < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
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
  /**
   * Rows of the longest column on the last walk of each column set (see `walk`), to size
   * requests: `[column set id, rows, column set id, rows, …]` (a few pairs a device).
   */
  walkRows?: number[];
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
const lastStamp: { samples: Sample[] | undefined; from: Labels | undefined; to: Labels | undefined } = {
  samples: undefined,
  from: undefined,
  to: undefined,
};

/** Adds a sample carrying `device` and the given labels (as core's `pushSample`: skips missing values). */
export function emit(ctx: PartContext, name: string, labels: Labels, value: Reading): void {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
  let to = lastStamp.to;
  if (lastStamp.from !== labels || lastStamp.samples !== ctx.samples || to === undefined) {
    to = { device: ctx.device.id, ...labels };
    // One record, rewritten: an object per run of labels would be garbage of every poll.
    lastStamp.samples = ctx.samples;
    lastStamp.from = labels;
    lastStamp.to = to;
  }
  ctx.samples.push({ name, labels: to, value, ts: ctx.ts });
  ctx.emitted.add(name);
}

/**
 * `emit` with labels that already carry `device`, made by the part for a run of samples (one
 * object, not one and its stamped copy). Nothing may change them after.
 */
export function emitStamped(ctx: PartContext, name: string, labels: Labels, value: Reading): void {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
  ctx.samples.push({ name, labels, value, ts: ctx.ts });
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
 * Ids of the column sets walked, by first column and column count: a device remembers rows per
 * id (`DeviceMemory.walkRows`), and looking one up makes no string. Shared by every device; a
 * set beyond `MAX_COLUMN_SETS` (custom tables of many devices) is simply not remembered.
 */
const columnSets = new Map<string, number[]>();
let columnSetCount = 0;
const MAX_COLUMN_SETS = 10_000;

function columnSetId(columns: string[]): number | undefined {
  const first = columns[0] ?? '';
  let byLength = columnSets.get(first);
  if (!byLength) {
    if (columnSetCount >= MAX_COLUMN_SETS) return undefined;
    byLength = [];
    columnSets.set(first, byLength);
  }
  let id = byLength[columns.length];
  if (id === undefined) {
    if (columnSetCount >= MAX_COLUMN_SETS) return undefined;
    id = columnSetCount++;
    byLength[columns.length] = id;
  }
  return id;
}

/** Rows remembered for a column set, if any. */
function rowsOf(walkRows: number[] | undefined, id: number): number | undefined {
  if (walkRows) for (let k = 0; k < walkRows.length; k += 2) if (walkRows[k] === id) return walkRows[k + 1];
  return undefined;
}

function rememberRows(memory: DeviceMemory, id: number, rows: number): void {
  const walkRows = memory.walkRows;
  if (!walkRows) {
    memory.walkRows = [id, rows];
    return;
  }
  for (let k = 0; k < walkRows.length; k += 2) {
    if (walkRows[k] === id) {
      walkRows[k + 1] = rows;
      return;
    }
  }
  // Grown by copy, to its exact length: a push would reserve room for ~16 more numbers per device.
  const grown = new Array<number>(walkRows.length + 2);
  for (let k = 0; k < walkRows.length; k++) grown[k] = walkRows[k] as number;
  grown[walkRows.length] = id;
  grown[walkRows.length + 1] = rows;
  memory.walkRows = grown;
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
): Promise<Map<string, WalkedRows>> {
  const id = columnSetId(columns);
  const result = await walkColumns(ctx.session, columns, {
    version: ctx.settings.version,
    state: ctx.memory.bulk,
    maxRows: ctx.settings.maxRows,
    expectedRows: id === undefined ? undefined : rowsOf(ctx.memory.walkRows, id),
  });
  let longest = 0;
  for (const rows of result.columns.values()) if (rows.size > longest) longest = rows.size;
  if (id !== undefined) rememberRows(ctx.memory, id, longest);
  if (result.errors.size === 0) return result.columns;
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
  const cache = ctx.memory.interfaces;
  const pos = cache ? ifPositionOf(cache, ifIndex) : -1;
  return pos >= 0 ? (cache?.names[pos] as string) : `if${ifIndex}`;
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
