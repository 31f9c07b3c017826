/**
 * Speeds of bonding interfaces (`/interface/bonding`): an ISP's uplinks are often LACP bonds, and
 * their utilisation needs a capacity. A bond carries the sum of its linked slaves' speeds, except
 * in the modes where one slave carries the traffic at a time (`active-backup`, and `broadcast`,
 * which sends everything on every slave): there, the fastest linked slave's.
 */
import { type PollScope, readMenu } from './context.js';

/** The menu; read with the port speeds (`./speeds.ts`), on the same occasions. */
export const BONDING = '/interface/bonding';
const FIELDS = ['name', 'slaves', 'mode'];
const ONE_AT_A_TIME: ReadonlySet<string> = new Set(['active-backup', 'broadcast']);

/**
 * The speed of each bond in `bonds` (running bonds of `/interface`), from `ports` (speeds of the
 * linked ethernet ports by name). A bond none of whose slaves has a known speed has none. A
 * failed read is recorded by `readMenu` (part error, or missing menu) and gives no bond speeds.
 */
export async function bondSpeeds(
  scope: PollScope,
  bonds: readonly string[],
  ports: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (bonds.length === 0) return out;
  const rows = await readMenu(scope, BONDING, FIELDS);
  if (!rows) return out;
  const wanted = new Set(bonds);
  for (const r of rows) {
    if (!r.name || !wanted.has(r.name)) continue;
    const speeds = (r.slaves ?? '')
      .split(',')
      .map((s) => ports.get(s.trim()))
      .filter((bps): bps is number => bps !== undefined);
    if (speeds.length === 0) continue;
    const bps = ONE_AT_A_TIME.has(r.mode ?? '') ? Math.max(...speeds) : speeds.reduce((a, b) => a + b, 0);
    out.set(r.name, bps);
  }
  return out;
}
