/**
 * MIKROTIK-MIB wireless: client counts per access-point interface (mtxrWlApClientCount) and the
 * registration table (signal, rates, bytes and uptime per client, index = MAC.ifIndex), with the
 * SSID of the client's access-point interface (mtxrWlApSsid; the registration table has none).
 */
import { catalog, type WirelessClientFact } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import { SnmpErrorCodes } from '../errors.js';
import { indexArcs } from '../oid.js';
import { formatMac, numberValue, textValue } from '../values.js';
import { emit, ifNameOf, type Part, walk } from './context.js';

const AP_SSID = '1.3.6.1.4.1.14988.1.1.1.3.1.4';
const AP_CLIENT_COUNT = '1.3.6.1.4.1.14988.1.1.1.3.1.6';
const RTAB_TX_BYTES = '1.3.6.1.4.1.14988.1.1.1.2.1.4';
const RTAB_RX_BYTES = '1.3.6.1.4.1.14988.1.1.1.2.1.5';
const RTAB_STRENGTH = '1.3.6.1.4.1.14988.1.1.1.2.1.3';
const RTAB_TX_RATE = '1.3.6.1.4.1.14988.1.1.1.2.1.8';
const RTAB_RX_RATE = '1.3.6.1.4.1.14988.1.1.1.2.1.9';
const RTAB_UPTIME = '1.3.6.1.4.1.14988.1.1.1.2.1.11';

/** An SSID as text when it is printable (not the hex `textValue` falls back to: that is no name). */
function ssidOf(vb: Varbind | undefined): string | undefined {
  const text = textValue(vb);
  if (text === undefined || text === '') return undefined;
  // textValue gives the hex of bytes that are not printable text: that is no name.
  return Buffer.isBuffer(vb?.value) && vb.value.length > 0 && text === vb.value.toString('hex')
    ? undefined
    : text;
}

/** The MikroTik wireless part. */
export const mikrotikWirelessPart: Part = {
  name: 'mikrotikWireless',
  async collect(ctx) {
    const cols = await walk(
      ctx,
      [
        AP_SSID,
        AP_CLIENT_COUNT,
        RTAB_STRENGTH,
        RTAB_TX_BYTES,
        RTAB_RX_BYTES,
        RTAB_TX_RATE,
        RTAB_RX_RATE,
        RTAB_UPTIME,
      ],
      (c) => (c === AP_CLIENT_COUNT || c === AP_SSID ? 'mtxrWlApTable' : 'mtxrWlRtabTable'),
    );
    let malformed = 0;
    const failedBefore = ctx.partErrors.length;
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
      if (
        arcs.length !== 7 ||
        arcs.some((a) => !Number.isInteger(a) || a < 0) ||
        arcs.slice(0, 6).some((a) => a > 255)
      ) {
        malformed++;
        continue;
      }
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
      // Counter32 from the access point's side: sent to the client, received from it.
      const txBytes = numberValue(cols.get(RTAB_TX_BYTES)?.get(index));
      const rxBytes = numberValue(cols.get(RTAB_RX_BYTES)?.get(index));
      if (txBytes !== undefined) fact.txBytes = txBytes;
      if (rxBytes !== undefined) fact.rxBytes = rxBytes;
      const ssid = ssidOf(cols.get(AP_SSID)?.get(ifIndex));
      if (ssid) fact.ssid = ssid;
      clients.push(fact);
      if (!counted.has(ifIndex)) perInterface.set(iface, (perInterface.get(iface) ?? 0) + 1);
    }
    // Interfaces the AP table does not cover (stations, CAPsMAN) are counted from the registrations.
    for (const [iface, n] of perInterface) emit(ctx, catalog.wirelessClients.name, { interface: iface }, n);
    if (malformed > 0) {
      ctx.partErrors.push({
        part: 'mtxrWlRtabTable',
        code: SnmpErrorCodes.BAD_ROWS,
        message: `skipped ${malformed} rows with a malformed index; the rest were kept`,
      });
    }
    // A registration walk cut short was reported: no partial list (it would end the others).
    const cut = ctx.partErrors
      .slice(failedBefore)
      .some((e) => e.part === 'mtxrWlRtabTable' && e.code !== SnmpErrorCodes.BAD_ROWS);
    if (!cut && (cols.get(RTAB_STRENGTH)?.size || cols.get(AP_CLIENT_COUNT)?.size))
      ctx.facts.wirelessClients = clients;
  },
};
