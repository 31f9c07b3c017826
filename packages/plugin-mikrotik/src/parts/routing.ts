/**
 * Simple queues (`queue_bytes_total{queue,direction}`), BGP sessions (`bgp_peer_up{peer}`, v6
 * `/routing/bgp/peer` or v7 `/routing/bgp/session`) and discovery neighbours (`/ip/neighbor` →
 * `facts.neighbours`).
 */
import { catalog, type NeighbourFact } from '@ispmonitor/core';
import { bgpMenu } from '../capabilities.js';
import { parseBool, parseCounter, parsePair } from '../values.js';
import { emit, type PollScope, readMenu } from './context.js';

/** `/queue/simple`: `bytes` is `upload/download` as seen from the queue's target. */
export async function collectQueues(scope: PollScope): Promise<void> {
  const rows = await readMenu(scope, '/queue/simple', ['name', 'bytes']);
  for (const r of rows ?? []) {
    const pair = parsePair(r.bytes);
    if (!r.name || !pair) continue;
    emit(scope, catalog.queueBytes.name, { queue: r.name, direction: 'upload' }, pair[0]);
    emit(scope, catalog.queueBytes.name, { queue: r.name, direction: 'download' }, pair[1]);
  }
}

/** BGP: one `bgp_peer_up` per peer address, with received prefixes when the router says. */
export async function collectBgp(scope: PollScope): Promise<void> {
  const caps = scope.memory.caps;
  if (!caps) return;
  const menu = bgpMenu(caps);
  const fields =
    menu.shape === 'peer'
      ? ['name', 'remote-address', 'state', 'prefix-count', 'disabled']
      : ['name', 'remote.address', 'established', 'prefix-count'];
  const rows = await readMenu(scope, menu.path, fields);
  for (const r of rows ?? []) {
    const peer = (menu.shape === 'peer' ? r['remote-address'] : r['remote.address']) || r.name;
    if (!peer) continue;
    const up = menu.shape === 'peer' ? r.state === 'established' : parseBool(r.established) === true;
    emit(scope, catalog.bgpPeerUp.name, { peer }, up ? 1 : 0);
    emit(scope, catalog.bgpPrefixes.name, { peer }, parseCounter(r['prefix-count']));
  }
}

const PROTOCOLS = new Set(['mndp', 'lldp', 'cdp']);

/** The discovery protocol of a neighbour: v7 says (`discovered-by`), v6 does not. */
export function neighbourProtocol(row: Record<string, string>): NeighbourFact['protocol'] {
  const by = row['discovered-by']?.split(',').find((p) => PROTOCOLS.has(p));
  if (by) return by as NeighbourFact['protocol'];
  // v6 lists MikroTik neighbours found by MNDP with platform "MikroTik".
  return row.platform === 'MikroTik' ? 'mndp' : 'other';
}

/** `/ip/neighbor` → `facts.neighbours`. */
export async function collectNeighbours(scope: PollScope): Promise<void> {
  const rows = await readMenu(scope, '/ip/neighbor', [
    'interface',
    'address',
    'mac-address',
    'identity',
    'platform',
    'board',
    'interface-name',
    'discovered-by',
  ]);
  if (!rows) return;
  scope.facts.neighbours = rows.map((r) => {
    const n: NeighbourFact = { protocol: neighbourProtocol(r) };
    if (r.interface) n.localInterface = r.interface.split(',')[0] as string;
    if (r.identity) n.remoteName = r.identity;
    if (r['mac-address']) n.remoteId = r['mac-address'].toLowerCase();
    if (r.address) n.remoteAddress = r.address;
    if (r['interface-name']) n.remoteInterface = r['interface-name'];
    const platform = [r.platform, r.board].filter(Boolean).join(' ');
    if (platform) n.remotePlatform = platform;
    return n;
  });
}
