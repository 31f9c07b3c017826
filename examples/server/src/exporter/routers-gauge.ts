import type { DeviceStatus, Monitor } from '@ispmonitor/core';
import { tokens } from '@ispmonitor/core';
import type { ServerRole } from '../server-config.js';
import { UntypedGauge } from './untyped-gauge.js';

const NAME = 'ispmonitor_routers_total';
const STATUSES: DeviceStatus[] = ['unknown', 'online', 'unreachable', 'offline'];

/**
 * Who exports which `ispmonitor_routers_total{status}`, so that a Prometheus `sum` across every
 * replica counts each device once:
 * - a process that polls (`all`, `poller`) counts the devices it polls now, by the status its
 *   polls gave them. Alone (no cluster) that is every device, as core counts them; in a cluster
 *   it is this replica's share, not the devices other replicas poll, which it shows as `unknown`
 *   or as they were before their bucket moved away. The sum over the pollers is the fleet.
 * - an `api` replica polls nothing: it exports the fleet as the pollers recorded it (the statuses
 *   its router list shows) with the label `view="fleet"`. Every API replica sees the same fleet,
 *   so these series are read with `max`, never summed with the pollers' (`view!="fleet"`).
 *
 * Core's gauge counts every device of the inventory by this process's status; it is replaced
 * here only where that is not the right count (API replicas, and replicas of a cluster).
 */
export function routersByStatus(
  monitor: Monitor,
  role: ServerRole,
  fleet?: () => Record<DeviceStatus, number>,
): void {
  const registry = monitor.metrics;
  if (role === 'api' && fleet) {
    registry.removeSingleMetric(NAME);
    new UntypedGauge({
      name: NAME,
      help: 'Devices by status; view="fleet": every device as the pollers recorded it (API replicas)',
      labelNames: ['status', 'view'],
      registers: [registry],
      collect() {
        const counts = fleet();
        for (const s of STATUSES) this.set({ status: s, view: 'fleet' }, counts[s]);
      },
    });
    return;
  }
  if (!monitor.has(tokens.Ownership)) return;
  const ownership = monitor.resolve(tokens.Ownership);
  registry.removeSingleMetric(NAME);
  new UntypedGauge({
    name: NAME,
    help: 'Devices this replica polls now, by status (the sum over the pollers is the fleet)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts: Record<DeviceStatus, number> = { unknown: 0, online: 0, unreachable: 0, offline: 0 };
      for (const s of monitor.devices.list()) if (ownership.owns(s.device.id)) counts[s.status]++;
      for (const s of STATUSES) this.set({ status: s }, counts[s]);
    },
  });
}
