/**
 * Wireless registration tables (`/interface/wireless`, CAPsMAN, `/interface/wifi`,
 * `/interface/wifiwave2`, chosen from the router's version and packages) →
 * `wireless_clients{interface}`, `wireless_client_signal_dbm{mac,interface}` and
 * `facts.wirelessClients` with rates and byte counters.
 */
import { catalog, type WirelessClientFact } from '@ispmonitor/core';
import { type WirelessMenu, wirelessMenus } from '../capabilities.js';
import { parseDuration, parsePair, parseRate, parseSignal } from '../values.js';
import { emit, type PollScope, readMenu } from './context.js';

/** A wireless client with its traffic counters. */
export interface WirelessClient extends WirelessClientFact {
  /** Bytes sent to / received from the client (the router's `bytes` pair). */
  txBytes?: number | bigint;
  rxBytes?: number | bigint;
}

const LEGACY_FIELDS = [
  'interface',
  'mac-address',
  'signal-strength',
  'tx-rate',
  'rx-rate',
  'uptime',
  'bytes',
];
const WIFI_FIELDS = ['interface', 'mac-address', 'signal', 'tx-rate', 'rx-rate', 'uptime', 'bytes'];

/** Turns one registration-table row into a client. */
export function wirelessClientOf(
  row: Record<string, string>,
  shape: WirelessMenu['shape'],
): WirelessClient | undefined {
  const mac = row['mac-address']?.toLowerCase();
  if (!mac) return undefined;
  const client: WirelessClient = { mac, interface: row.interface ?? '' };
  const signal = parseSignal(
    shape === 'legacy' ? row['signal-strength'] : (row.signal ?? row['signal-strength']),
  );
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

/** Reads every registration table this router has. */
export async function collectWireless(scope: PollScope): Promise<void> {
  const caps = scope.memory.caps;
  if (!caps) return;
  const menus = wirelessMenus(caps);
  const tables = await Promise.all(
    menus.map((m) => readMenu(scope, m.path, m.shape === 'legacy' ? LEGACY_FIELDS : WIFI_FIELDS)),
  );
  let answered = false;
  const clients: WirelessClient[] = [];
  tables.forEach((rows, i) => {
    if (!rows) return;
    answered = true;
    const shape = (menus[i] as WirelessMenu).shape;
    for (const row of rows) {
      const c = wirelessClientOf(row, shape);
      if (c) clients.push(c);
    }
  });
  if (!answered) return;
  const perInterface = new Map<string, number>();
  for (const c of clients) {
    perInterface.set(c.interface, (perInterface.get(c.interface) ?? 0) + 1);
    emit(scope, catalog.wirelessSignal.name, { mac: c.mac, interface: c.interface }, c.signalDbm);
  }
  for (const [iface, n] of perInterface) emit(scope, catalog.wirelessClients.name, { interface: iface }, n);
  scope.facts.wirelessClients = clients;
}
