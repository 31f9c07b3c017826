/**
 * `/interface` with its counters → the `interface_*` samples (labelled `ifName`, the same
 * names and label the SNMP driver uses) and `facts.interfaces`, with their addresses
 * (`./addresses.ts`) and the negotiated speed of ethernet ports (`./speeds.ts`).
 */
import { catalog, type InterfaceFact } from '@ispmonitor/core';
import { parseBool, parseCounter } from '../values.js';
import { readAddresses } from './addresses.js';
import { emit, type PollScope, sharedMenu } from './context.js';
import { portSpeeds } from './speeds.js';

/** Interface types of PPP server sessions: RouterOS names each one `<SERVICE-USER>`. */
export const SESSION_TYPES: readonly string[] = ['pppoe-in', 'l2tp-in', 'pptp-in', 'sstp-in', 'ovpn-in'];
const SESSION_TYPE_SET: ReadonlySet<string> = new Set(SESSION_TYPES);

/** Whether an `/interface` row is the dynamic interface of a PPP session. */
export const isSessionInterface = (row: { type?: string }): boolean =>
  row.type !== undefined && SESSION_TYPE_SET.has(row.type);

/** Fields read from `/interface` (also the PPP part's byte counters of session interfaces). */
export const INTERFACE_FIELDS: readonly string[] = [
  '.id',
  'name',
  'type',
  'mac-address',
  'comment',
  'running',
  'disabled',
  'rx-byte',
  'tx-byte',
  'rx-packet',
  'tx-packet',
  'rx-error',
  'tx-error',
  'rx-drop',
  'tx-drop',
  'link-downs',
];

/** Counter attribute → catalogue name. */
const COUNTERS: ReadonlyArray<[string, string]> = [
  ['rx-byte', catalog.ifInOctets.name],
  ['tx-byte', catalog.ifOutOctets.name],
  ['rx-packet', catalog.ifInPackets.name],
  ['tx-packet', catalog.ifOutPackets.name],
  ['rx-error', catalog.ifInErrors.name],
  ['tx-error', catalog.ifOutErrors.name],
  ['rx-drop', catalog.ifInDiscards.name],
  ['tx-drop', catalog.ifOutDiscards.name],
  ['link-downs', catalog.ifLinkDowns.name],
];

/**
 * Reads `/interface` and emits counters and states per interface. The dynamic interfaces of PPP
 * sessions are left out unless `sessionInterfaces` is set: a BNG has thousands, and their
 * bytes are part of `facts.pppoeSessions` (session history) instead.
 */
export async function collectInterfaces(scope: PollScope): Promise<void> {
  const [rows, addresses] = await Promise.all([
    sharedMenu(scope, '/interface', INTERFACE_FIELDS),
    readAddresses(scope),
  ]);
  if (!rows) return;
  const speeds = await portSpeeds(scope, rows);
  const facts: InterfaceFact[] = [];
  for (const r of rows) {
    const name = r.name;
    if (!name) continue;
    if (!scope.settings.sessionInterfaces && isSessionInterface(r)) continue;
    const labels = { ifName: name };
    for (const [attr, metric] of COUNTERS) emit(scope, metric, labels, parseCounter(r[attr]));
    const running = parseBool(r.running);
    const disabled = parseBool(r.disabled);
    if (running !== undefined) emit(scope, catalog.ifOperUp.name, labels, running ? 1 : 0);
    if (disabled !== undefined) emit(scope, catalog.ifAdminUp.name, labels, disabled ? 0 : 1);
    const speed = speeds.get(name);
    emit(scope, catalog.ifSpeed.name, labels, speed);
    const fact: InterfaceFact = { index: r['.id'] ?? name, name };
    if (r.type) fact.type = r.type;
    if (r['mac-address']) fact.mac = r['mac-address'].toLowerCase();
    if (r.comment) fact.description = r.comment;
    if (speed !== undefined) fact.speedBps = speed;
    if (disabled !== undefined) fact.adminUp = !disabled;
    if (running !== undefined) fact.operUp = running;
    if (addresses) fact.addresses = addresses.get(name) ?? [];
    facts.push(fact);
  }
  scope.facts.interfaces = facts;
}
