/**
 * IP ↔ MAC bindings: `/ip/arp` and `/ipv6/neighbor` → `facts.arp`. Only the needed fields are
 * asked for and the row bound applies (a BNG's ARP table can be large). The list is published
 * only when it is whole: a table that failed leaves `facts.arp` out (storage would otherwise end
 * every binding of that table), a menu the router lacks (no `ipv6` package) counts as empty.
 */
import type { ArpFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import { parseBool } from '../values.js';
import { isMissing, type PollScope, readMenu } from './context.js';
import { ip, isJunk, mac, RowTally, text } from './rows.js';

const ARP_FIELDS = ['address', 'mac-address', 'interface', 'dynamic', 'invalid'];
const ND_FIELDS = ['address', 'mac-address', 'interface', 'status'];

/** Neighbour states that hold no usable binding. */
const ND_UNUSABLE = new Set(['failed', 'incomplete']);

/**
 * `/ip/arp` (`v6: false`) or `/ipv6/neighbor` (`v6: true`) rows → bindings. Entries without a
 * MAC (incomplete, failed, `invalid`) are no binding and are left out silently; a junk address,
 * MAC or interface is a garbage row. `type` is `dynamic` or `static` where `/ip/arp` says;
 * `/ipv6/neighbor` has no such flag, so its bindings carry none.
 */
export function parseArp(rows: readonly Row[], v6: boolean, tally = new RowTally()): ArpFact[] {
  const out: ArpFact[] = [];
  for (const r of rows) {
    const address = ip(r.address);
    const hw = mac(r['mac-address']);
    const iface = text(r.interface);
    if (isJunk(address) || isJunk(hw) || isJunk(iface)) {
      tally.skip('with a junk address, MAC or interface');
      continue;
    }
    if (address === undefined) {
      tally.skip('without an address');
      continue;
    }
    if (hw === undefined || parseBool(r.invalid) === true) continue;
    if (v6 && r.status !== undefined && ND_UNUSABLE.has(r.status)) continue;
    // An all-zero MAC is what some versions show for an unresolved entry.
    if (hw === '00:00:00:00:00:00') continue;
    const fact: ArpFact = { address, mac: hw };
    if (iface) fact.interface = iface;
    if (!v6) {
      const dynamic = parseBool(r.dynamic);
      if (dynamic !== undefined) fact.type = dynamic ? 'dynamic' : 'static';
    }
    out.push(fact);
  }
  return out;
}

/** Reads both tables; publishes `facts.arp` when neither failed. */
export async function collectArp(scope: PollScope): Promise<void> {
  const [v4, v6] = await Promise.all([
    readMenu(scope, '/ip/arp', ARP_FIELDS),
    readMenu(scope, '/ipv6/neighbor', ND_FIELDS),
  ]);
  if (!v4 && !isMissing(scope, '/ip/arp')) return;
  if (!v6 && !isMissing(scope, '/ipv6/neighbor')) return;
  const tally4 = new RowTally();
  const tally6 = new RowTally();
  const facts = [...parseArp(v4 ?? [], false, tally4), ...parseArp(v6 ?? [], true, tally6)];
  tally4.report(scope.partErrors, '/ip/arp', v4?.length ?? 0);
  tally6.report(scope.partErrors, '/ipv6/neighbor', v6?.length ?? 0);
  if (!v4 && !v6) return;
  scope.facts.arp = facts;
}
