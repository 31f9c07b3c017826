/** A served device for socket-free tests. */
import { emptyStats, type ServedDevice } from '../../src/agent.js';
import { SimDevice } from '../../src/model/device.js';
import type { Faults } from '../../src/model/faults.js';
import { getProfile, type ProfileName, profileView } from '../../src/profiles/index.js';

/** Fixed start instant of every socket-free test: 2025-03-01T12:00:00Z. */
export const T0 = Date.UTC(2025, 2, 1, 12);

/** A device of `profile` with `ports` ports, started at {@link T0}. */
export function served(
  profile: ProfileName = 'mikrotik',
  faults: Faults = {},
  ports = 24,
  uptimeAtStartMs = 3_600_000,
) {
  const p = getProfile(profile);
  const sim = new SimDevice({
    id: `${profile}-test`,
    sysName: `${profile}-test`,
    layout: p.layout(ports),
    seed: 1,
    startMs: T0,
    faults,
    cpuCount: p.cpuCount,
    memTotalBytes: p.memTotalBytes,
    uptimeAtStartMs,
  });
  const dev: ServedDevice = {
    id: sim.id,
    sim,
    view: profileView(p, ports),
    community: Buffer.from('public'),
  };
  return { dev, sim, stats: emptyStats() };
}
