/**
 * The ISP rule pack (opt-in: `pack: { isp: true }` or `pack: { isp: { cpu: 0.85, … } }`). Metric
 * names come from core's catalogue, so the pack works for every driver.
 *
 * Uplinks: an interface is an uplink when its device carries a label (default `uplinks`) listing
 * interface names, comma-separated (`uplinks: "sfp1,ether1"`), or when its sample carries an
 * `ifAlias` label matching a case-insensitive pattern (default `uplink|upstream|transit`). Only
 * uplinks raise InterfaceDown: an access port going down is a customer's business, not the NOC's.
 */
import { catalog, type Labels } from '@ispmonitor/core';
import type { PackOptions, RuleInput } from './options.js';

/** What the pack's rules tell the NOC, by rule; `{{ … }}` is filled from the alert (template.ts). */
const SUMMARY = {
  DeviceRebooted: '{{ device }} rebooted (uptime went back to {{ value | duration }})',
  HighCpu: 'CPU of {{ device }} at {{ value | percent }}',
  HighMemory: 'memory of {{ device }} at {{ value | percent }}',
  HighTemperature: '{{ labels.sensor }} of {{ device }} at {{ value }} °C',
  InterfaceDown: 'uplink {{ labels.ifName }} on {{ device }} is down',
  PppoeMassDisconnect: 'PPPoE sessions on {{ device }} fell by {{ value | percent }} within minutes',
  SubscriberFlapping: '{{ value }} subscriber reconnects on {{ device }} within an hour',
  BgpSessionDown: 'BGP session to {{ labels.peer }} on {{ device }} is down',
};
type Summarised = keyof typeof SUMMARY;

/** The pack's rules for the given thresholds. */
export function ispRulePack(o: PackOptions): RuleInput[] {
  const c = catalog;
  const avg5m = { fn: 'avg', window: '5m' } as const;
  /**
   * A gauge above `threshold` for 5 minutes (warning). It resolves only once `hysteresis` below
   * the threshold, so a reading hovering at the limit does not flap.
   */
  const high = (
    name: Summarised,
    metric: string,
    measure: Partial<RuleInput>,
    threshold: number,
    hysteresis: number,
  ) => rule(name, { metric, ...measure, threshold, resolveThreshold: threshold - hysteresis, for: '5m' });
  /** A 0/1 gauge at 0 for a minute (critical): a link or session down. */
  const down = (name: Summarised, metric: string, extra: Partial<RuleInput> = {}) =>
    rule(name, { metric, op: '<', threshold: 1, for: '1m', severity: 'critical', ...extra });
  /** How often something happened within `window` (resets, an increase, a drop), above `threshold`. */
  const counted = (
    name: Summarised,
    metric: string,
    fn: RuleInput['fn'],
    window: RuleInput['window'],
    threshold: number,
  ) => rule(name, { metric, fn, window, threshold });
  const util = (direction: 'in' | 'out', severity: string, threshold: number): RuleInput => ({
    name: 'LinkUtilisationHigh',
    metric: direction === 'in' ? c.ifInOctets.name : c.ifOutOctets.name,
    fn: 'rate',
    window: '5m',
    scale: 8,
    per: c.ifSpeed.name,
    op: '>',
    threshold,
    resolveThreshold: threshold - 0.05,
    for: '5m',
    severity,
    labels: { direction },
    annotations: {
      summary: `{{ labels.ifName }} on {{ device }} at {{ value | percent }} of its speed (${direction})`,
    },
  });
  const errors = (direction: 'in' | 'out'): RuleInput => ({
    name: 'InterfaceErrors',
    metric: direction === 'in' ? c.ifInErrors.name : c.ifOutErrors.name,
    fn: 'rate',
    window: '5m',
    op: '>',
    threshold: o.errorRate,
    for: '5m',
    severity: 'warning',
    labels: { direction },
    annotations: { summary: '{{ labels.ifName }} on {{ device }}: {{ value | humanize }} errors/s' },
  });
  return [
    {
      name: 'DeviceDown',
      kind: 'device_status',
      status: ['unreachable', 'offline'],
      for: o.downFor,
      severity: 'critical',
      deviceDown: true,
      annotations: { summary: '{{ device }} is not answering' },
    },
    counted('DeviceRebooted', c.deviceUptime.name, 'resets', '15m', 0),
    high('HighCpu', c.deviceCpuLoad.name, avg5m, o.cpu, 0.1),
    high('HighMemory', c.deviceMemoryUsed.name, { per: c.deviceMemoryTotal.name }, o.memory, 0.05),
    high('HighTemperature', c.deviceTemperature.name, avg5m, o.temperature, 5),
    down('InterfaceDown', c.ifOperUp.name, { uplinksOnly: true }),
    util('in', 'warning', o.utilisationWarning),
    util('out', 'warning', o.utilisationWarning),
    util('in', 'critical', o.utilisationCritical),
    util('out', 'critical', o.utilisationCritical),
    errors('in'),
    errors('out'),
    {
      ...counted('PppoeMassDisconnect', c.pppoeSessions.name, 'drop_ratio', o.pppoeWindow, o.pppoeDrop),
      keepFiringFor: '10m',
      severity: 'critical',
    },
    // Subscribers whose session restarted within the storage's reconnect window (default 5 min):
    // a few are ordinary churn; many within an hour point at the router or its access network.
    counted('SubscriberFlapping', c.subscriberReconnects.name, 'increase', '1h', o.reconnectsPerHour),
    {
      // The monitor's own condition, not a device's: while it fires, polls are late, skipped, or
      // their slots dropped (gaps in the samples) — never counted against devices — so device
      // statuses may lag behind the network.
      name: 'MonitorOverloaded',
      kind: 'monitor',
      for: '1m',
      severity: 'warning',
      annotations: {
        summary:
          'the monitor itself is overloaded: polls are late, skipped or dropped (gaps in the samples), device statuses may lag',
      },
    },
    down('BgpSessionDown', c.bgpPeerUp.name),
    {
      name: 'WeakWirelessSignal',
      metric: c.wirelessSignal.name,
      fn: 'avg',
      window: '10m',
      op: '<',
      threshold: o.signalDbm,
      resolveThreshold: o.signalDbm + 3,
      for: '10m',
      severity: 'info',
      annotations: { summary: 'client {{ labels.mac }} on {{ device }} at {{ value }} dBm' },
    },
  ];
}

/**
 * A rule of the pack with its summary; `op` is `>` and `severity` `warning` unless `fields` say
 * otherwise (stated here rather than left to the schema's defaults, so the pack reads complete).
 */
function rule(name: Summarised, fields: Partial<RuleInput>): RuleInput {
  return { name, op: '>', severity: 'warning', ...fields, annotations: { summary: SUMMARY[name] } };
}

/** Builds the uplink test described above. */
export function uplinkTest(
  o: PackOptions,
  deviceLabels: (id: string) => Labels | undefined,
): (l: Labels) => boolean {
  const alias = new RegExp(o.uplinkAlias, 'i');
  return (labels) => {
    if (labels.ifAlias && alias.test(labels.ifAlias)) return true;
    const list =
      labels[o.uplinkLabel] ?? (labels.device ? deviceLabels(labels.device)?.[o.uplinkLabel] : undefined);
    if (!list || !labels.ifName) return false;
    return list.split(',').some((n) => n.trim() === labels.ifName);
  };
}
