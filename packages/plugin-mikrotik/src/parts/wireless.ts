/**
 * Wireless registration tables (`/interface/wireless`, CAPsMAN, `/interface/wifi`,
 * `/interface/wifiwave2`, chosen from the router's version and packages) →
 * `wireless_clients{interface}`, `wireless_client_signal_dbm{mac,interface}` and
 * `facts.wirelessClients` with SSID, rates and byte counters.
 *
 * The `wifi` and CAPsMAN tables carry the SSID; the legacy `/interface/wireless` table does not,
 * so it comes from the interface's `ssid` in `/interface/wireless`, read once per router and
 * again only every `reprobeInterval` (or, at most once a minute, when a client shows up on an
 * interface not read yet: a new virtual AP).
 */
import { catalog, type WirelessClientFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import { type WirelessMenu, wirelessMenus } from '../capabilities.js';
import { parseDuration, parsePair, parseRate, parseSignal } from '../values.js';
import { emit, isMissing, type PollScope, readMenu } from './context.js';
import { isJunk, mac, RowTally, text } from './rows.js';

/** A wireless client with its traffic counters. */
export interface WirelessClient extends WirelessClientFact {
  /** Bytes sent to / received from the client (the router's `bytes` pair). */
  txBytes?: number | bigint;
  rxBytes?: number | bigint;
}

const COMMON = ['interface', 'mac-address', 'tx-rate', 'rx-rate', 'uptime', 'bytes'];
const FIELDS: Record<WirelessMenu['shape'], string[]> = {
  legacy: [...COMMON, 'signal-strength'],
  capsman: [...COMMON, 'rx-signal', 'ssid'],
  wifi: [...COMMON, 'signal', 'ssid'],
};
/** SSIDs are at most 32 bytes; RouterOS may print non-ASCII bytes escaped. */
const MAX_SSID = 128;
/** Shortest wait between two SSID reads prompted by an unknown interface. */
const SSID_RETRY_MS = 60_000;

const SIGNAL: Record<WirelessMenu['shape'], string> = {
  legacy: 'signal-strength',
  capsman: 'rx-signal',
  wifi: 'signal',
};

/** Turns one registration-table row into a client; undefined for a garbage row. */
export function wirelessClientOf(
  row: Record<string, string>,
  shape: WirelessMenu['shape'],
  tally?: RowTally,
): WirelessClient | undefined {
  const hw = mac(row['mac-address']);
  const iface = text(row.interface);
  if (hw === undefined || isJunk(hw) || iface === undefined || isJunk(iface)) {
    tally?.skip('without a valid MAC or interface');
    return undefined;
  }
  const client: WirelessClient = { mac: hw, interface: iface };
  // The SSID is the network's own text: a junk one is dropped, the client kept.
  const ssid = text(row.ssid, MAX_SSID);
  if (ssid !== undefined && !isJunk(ssid)) client.ssid = ssid;
  const signal = parseSignal(row[SIGNAL[shape]] ?? (shape === 'wifi' ? row['signal-strength'] : undefined));
  if (signal) client.signalDbm = signal.dbm;
  const tx = parseRate(row['tx-rate']);
  const rx = parseRate(row['rx-rate']);
  if (tx !== undefined) client.txRateBps = tx;
  if (rx !== undefined) client.rxRateBps = rx;
  const up = parseDuration(row.uptime);
  if (up !== undefined) client.uptimeSeconds = up;
  const bytes = parsePair(row.bytes);
  if (bytes) {
    // RouterOS prints the pair from the router's side: sent to the client, then received.
    client.txBytes = bytes[0];
    client.rxBytes = bytes[1];
  }
  return client;
}

/** `/interface/wireless` rows (name, ssid) → SSID by interface name. */
export function ssidsOf(rows: readonly Row[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) {
    const name = text(r.name);
    const ssid = text(r.ssid, MAX_SSID);
    if (typeof name === 'string' && typeof ssid === 'string') out.set(name, ssid);
  }
  return out;
}

/** SSIDs of the legacy interfaces, from the router's memory or read now when due. */
async function legacySsids(
  scope: PollScope,
  clients: readonly WirelessClient[],
): Promise<Map<string, string>> {
  const cached = scope.memory.ssids;
  if (cached) {
    const age = scope.now - cached.at;
    const unknown = clients.some((c) => !cached.byInterface.has(c.interface));
    const due = age >= scope.reprobeMs || ((unknown || !cached.ok) && age >= SSID_RETRY_MS);
    if (!due) return cached.byInterface;
  }
  const rows = await readMenu(scope, '/interface/wireless', ['name', 'ssid']);
  // Failed or missing: keep what we had and try again after the retry interval, not every poll.
  scope.memory.ssids = rows
    ? { at: scope.now, ok: true, byInterface: ssidsOf(rows) }
    : { at: scope.now, ok: false, byInterface: cached?.byInterface ?? new Map() };
  return scope.memory.ssids.byInterface;
}

/**
 * Reads every registration table this router has. The client list is published only when no
 * table failed (a missing menu is fine): a partial list would end the other tables' clients.
 */
export async function collectWireless(scope: PollScope): Promise<void> {
  const caps = scope.memory.caps;
  if (!caps) return;
  const menus = wirelessMenus(caps);
  const tables = await Promise.all(menus.map((m) => readMenu(scope, m.path, FIELDS[m.shape])));
  let answered = false;
  let failed = false;
  const clients: WirelessClient[] = [];
  const legacy: WirelessClient[] = [];
  for (const [i, rows] of tables.entries()) {
    const menu = menus[i] as WirelessMenu;
    if (!rows) {
      if (!isMissing(scope, menu.path)) failed = true;
      continue;
    }
    answered = true;
    const tally = new RowTally();
    for (const row of rows) {
      const c = wirelessClientOf(row, menu.shape, tally);
      if (!c) continue;
      clients.push(c);
      if (menu.shape === 'legacy') legacy.push(c);
    }
    tally.report(scope.partErrors, menu.path, rows.length);
  }
  if (!answered) return;
  if (legacy.length > 0) {
    const ssids = await legacySsids(scope, legacy);
    for (const c of legacy) {
      const ssid = ssids.get(c.interface);
      if (ssid !== undefined) c.ssid = ssid;
    }
  }
  const perInterface = new Map<string, number>();
  for (const c of clients) {
    perInterface.set(c.interface, (perInterface.get(c.interface) ?? 0) + 1);
    emit(scope, catalog.wirelessSignal.name, { mac: c.mac, interface: c.interface }, c.signalDbm);
  }
  for (const [iface, n] of perInterface) emit(scope, catalog.wirelessClients.name, { interface: iface }, n);
  if (!failed) scope.facts.wirelessClients = clients;
}
