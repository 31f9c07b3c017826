/**
 * Link speeds of ethernet ports, from `/interface/ethernet/monitor =once=` (its `rate`: `10Mbps`,
 * `100Mbps`, `1Gbps`, `2.5Gbps`, `10Gbps`…, absent while the link is down). `/interface` has no
 * speed, and `/interface/ethernet`'s `speed` is the forced setting (used only with
 * auto-negotiation off), not what the link negotiated.
 *
 * Bonds get theirs from their slaves (`./bonds.ts`).
 *
 * `monitor` reads each port's PHY (and an SFP's EEPROM), which is slow on some boards: it runs only
 * when the set of linked ports changes (a port comes up, goes down, flaps or is renamed, a bond
 * comes up or goes down) and otherwise once per `reprobeInterval`; every poll in between reuses
 * the speeds.
 */

import type { Row } from '../api/connection.js';
import { MikrotikError, MikrotikErrorCodes } from '../errors.js';
import { parseRate } from '../values.js';
import { bondSpeeds } from './bonds.js';
import { CONNECTION_CODES, type PollScope } from './context.js';

/** The command; also the missing-menu memory's key. */
export const MONITOR = '/interface/ethernet/monitor';
/** Most ports named in one command (a word stays small; bigger switches take several). */
const BATCH = 64;
/** Highest speed we believe (RouterOS has no port above 400 Gbit/s): more is junk. */
const MAX_BPS = 1.6e12;

/** What was learned about a router's port speeds. */
export interface SpeedMemory {
  /** When they were read (ms). */
  at: number;
  /** The linked ports (`.id`, name, link-downs) they were read for. */
  key: string;
  /** Speed in bits per second by interface name. */
  byName: Map<string, number>;
}

/** An ethernet port with a link, as `/interface` lists it. */
interface LinkedPort {
  id: string;
  name: string;
}

/**
 * The ethernet ports and bonds of `/interface` rows that have a link, and what identifies their
 * state.
 */
function linkedPorts(rows: readonly Row[]): { ports: LinkedPort[]; bonds: string[]; key: string } {
  const ports: LinkedPort[] = [];
  const bonds: string[] = [];
  const key: string[] = [];
  for (const r of rows) {
    if (r.running !== 'true' || !r.name) continue;
    if (r.type === 'bond') {
      bonds.push(r.name);
      key.push(`bond\u0000${r.name}`);
    }
    if (r.type !== 'ether') continue;
    const id = r['.id'] && /^\*[0-9A-Fa-f]{1,16}$/.test(r['.id']) ? r['.id'] : r.name;
    ports.push({ id, name: r.name });
    key.push(`${id}\u0000${r.name}\u0000${r['link-downs'] ?? ''}`);
  }
  return { ports, bonds, key: key.join('\u0001') };
}

/**
 * The speed of each ethernet port with a link, by interface name: from memory while the linked
 * ports are unchanged and the memory is younger than `reprobeMs`, else read again. A failed read
 * keeps what was known and is a part error; the next read is on the next change or re-probe.
 */
export async function portSpeeds(scope: PollScope, rows: readonly Row[]): Promise<Map<string, number>> {
  const { ports, bonds, key } = linkedPorts(rows);
  const known = scope.memory.speeds;
  const fresh = known && known.key === key && scope.now - known.at < scope.reprobeMs && scope.now >= known.at;
  if (fresh || scope.fatal) return known?.byName ?? new Map();
  // What was known, for the ports still linked: a port without a link has no speed.
  const kept = (): Map<string, number> => {
    const linked = new Set([...ports.map((p) => p.name), ...bonds]);
    return new Map([...(known?.byName ?? [])].filter(([name]) => linked.has(name)));
  };
  if (ports.length === 0 || scope.memory.missing.skip(MONITOR, scope.now)) {
    scope.memory.speeds = { at: scope.now, key, byName: kept() };
    return scope.memory.speeds.byName;
  }
  const byName = new Map<string, number>();
  try {
    for (let i = 0; i < ports.length; i += BATCH) {
      const batch = ports.slice(i, i + BATCH);
      const reply = await scope.conn.command(
        // No `.proplist`: MikroTik documents it for `print`; a monitor row is small and read rarely.
        [MONITOR, `=numbers=${batch.map((p) => p.id).join(',')}`, '=once='],
        { timeoutMs: scope.settings.timeout, maxRows: batch.length, signal: scope.signal },
      );
      reply.forEach((row, n) => {
        // Rows come in the order asked (MikroTik's API notes on monitor commands: older versions
        // do not name the item in each reply); the name says which port when the router gives it.
        const name = row.name ?? batch[n]?.name;
        const bps = parseRate(row.rate);
        if (name && bps !== undefined && bps > 0 && bps <= MAX_BPS) byName.set(name, bps);
      });
    }
  } catch (err) {
    const e =
      err instanceof MikrotikError ? err : new MikrotikError(MikrotikErrorCodes.INTERNAL, String(err));
    if (CONNECTION_CODES.has(e.code)) {
      scope.fatal ??= e;
      return kept();
    }
    // "no such command" (no ethernet menu) is remembered like any missing menu; anything else
    // (a port renamed between the two reads: "no such item") waits for the next change.
    if (e.code === MikrotikErrorCodes.NO_SUCH_COMMAND && !/no such item/i.test(e.message)) {
      scope.memory.missing.mark(MONITOR, scope.now);
    } else {
      scope.partErrors.push({ part: MONITOR, code: e.code, message: e.message });
    }
    scope.memory.speeds = { at: scope.now, key, byName: kept() };
    return scope.memory.speeds.byName;
  }
  for (const [bond, bps] of await bondSpeeds(scope, bonds, byName)) byName.set(bond, bps);
  scope.memory.speeds = { at: scope.now, key, byName };
  return byName;
}
