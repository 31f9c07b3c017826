/**
 * MIKROTIK-MIB wireless: client counts per access-point interface (mtxrWlApClientCount) and the
 * registration table (signal strength per client, index = MAC.ifIndex).
 */
import { catalog, type WirelessClientFact } from '@ispmonitor/core';
import { indexArcs } from '../oid.js';
import { formatMac, numberValue } from '../values.js';
import { emit, ifNameOf, type Part, walk } from './context.js';

const AP_CLIENT_COUNT = '1.3.6.1.4.1.14988.1.1.1.3.1.6';
const RTAB_STRENGTH = '1.3.6.1.4.1.14988.1.1.1.2.1.3';
const RTAB_TX_RATE = '1.3.6.1.4.1.14988.1.1.1.2.1.8';
const RTAB_RX_RATE = '1.3.6.1.4.1.14988.1.1.1.2.1.9';
const RTAB_UPTIME = '1.3.6.1.4.1.14988.1.1.1.2.1.11';

/** The MikroTik wireless part. */
export const mikrotikWirelessPart: Part = {
  name: 'mikrotikWireless',
  async collect(ctx) {
    const cols = await walk(
      ctx,
      [AP_CLIENT_COUNT, RTAB_STRENGTH, RTAB_TX_RATE, RTAB_RX_RATE, RTAB_UPTIME],
      (c) => (c === AP_CLIENT_COUNT ? 'mtxrWlApTable' : 'mtxrWlRtabTable'),
    );
    const counted = new Set<string>();
    for (const [ifIndex, vb] of cols.get(AP_CLIENT_COUNT) ?? []) {
      const n = numberValue(vb);
      if (n === undefined) continue;
      counted.add(ifIndex);
      emit(ctx, catalog.wirelessClients.name, { interface: ifNameOf(ctx, ifIndex) }, n);
    }
    const clients: WirelessClientFact[] = [];
    const perInterface = new Map<string, number>();
    for (const [index, vb] of cols.get(RTAB_STRENGTH) ?? []) {
      const arcs = indexArcs(index);
      if (arcs.length !== 7) continue;
      const mac = formatMac(arcs.slice(0, 6));
      const ifIndex = String(arcs[6]);
      const iface = ifNameOf(ctx, ifIndex);
      const signal = numberValue(vb);
      emit(ctx, catalog.wirelessSignal.name, { mac, interface: iface }, signal);
      const fact: WirelessClientFact = { mac, interface: iface };
      if (signal !== undefined) fact.signalDbm = signal;
      const tx = numberValue(cols.get(RTAB_TX_RATE)?.get(index));
      const rx = numberValue(cols.get(RTAB_RX_RATE)?.get(index));
      const up = numberValue(cols.get(RTAB_UPTIME)?.get(index));
      if (tx !== undefined) fact.txRateBps = tx;
      if (rx !== undefined) fact.rxRateBps = rx;
      if (up !== undefined) fact.uptimeSeconds = up / 100;
      clients.push(fact);
      if (!counted.has(ifIndex)) perInterface.set(iface, (perInterface.get(iface) ?? 0) + 1);
    }
    // Interfaces the AP table does not cover (stations, CAPsMAN) are counted from the registrations.
    for (const [iface, n] of perInterface) emit(ctx, catalog.wirelessClients.name, { interface: iface }, n);
    if (cols.get(RTAB_STRENGTH)?.size || cols.get(AP_CLIENT_COUNT)?.size) ctx.facts.wirelessClients = clients;
  },
};
