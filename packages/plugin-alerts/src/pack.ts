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

/** The pack's rules for the given thresholds. */
export function ispRulePack(o: PackOptions): RuleInput[] {
  const c = catalog;
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
    {
      name: 'DeviceRebooted',
      metric: c.deviceUptime.name,
      fn: 'resets',
      window: '15m',
      op: '>',
      threshold: 0,
      severity: 'warning',
      annotations: { summary: '{{ device }} rebooted (uptime went back to {{ value | duration }})' },
    },
    {
      name: 'HighCpu',
      metric: c.deviceCpuLoad.name,
      fn: 'avg',
      window: '5m',
      op: '>',
      threshold: o.cpu,
      resolveThreshold: o.cpu - 0.1,
      for: '5m',
      severity: 'warning',
      annotations: { summary: 'CPU of {{ device }} at {{ value | percent }}' },
    },
    {
      name: 'HighMemory',
      metric: c.deviceMemoryUsed.name,
      per: c.deviceMemoryTotal.name,
      op: '>',
      threshold: o.memory,
      resolveThreshold: o.memory - 0.05,
      for: '5m',
      severity: 'warning',
      annotations: { summary: 'memory of {{ device }} at {{ value | percent }}' },
    },
    {
      name: 'HighTemperature',
      metric: c.deviceTemperature.name,
      fn: 'avg',
      window: '5m',
      op: '>',
      threshold: o.temperature,
      resolveThreshold: o.temperature - 5,
      for: '5m',
      severity: 'warning',
      annotations: { summary: '{{ labels.sensor }} of {{ device }} at {{ value }} °C' },
    },
    {
      name: 'InterfaceDown',
      metric: c.ifOperUp.name,
      op: '<',
      threshold: 1,
      for: '1m',
      severity: 'critical',
      uplinksOnly: true,
      annotations: { summary: 'uplink {{ labels.ifName }} on {{ device }} is down' },
    },
    util('in', 'warning', o.utilisationWarning),
    util('out', 'warning', o.utilisationWarning),
    util('in', 'critical', o.utilisationCritical),
    util('out', 'critical', o.utilisationCritical),
    errors('in'),
    errors('out'),
    {
      name: 'PppoeMassDisconnect',
      metric: c.pppoeSessions.name,
      fn: 'drop_ratio',
      window: o.pppoeWindow,
      op: '>',
      threshold: o.pppoeDrop,
      keepFiringFor: '10m',
      severity: 'critical',
      annotations: { summary: 'PPPoE sessions on {{ device }} fell by {{ value | percent }} within minutes' },
    },
    {
      // Subscribers whose session restarted within the storage's reconnect window (default 5 min):
      // a few are ordinary churn; many within an hour point at the router or its access network.
      name: 'SubscriberFlapping',
      metric: c.subscriberReconnects.name,
      fn: 'increase',
      window: '1h',
      op: '>',
      threshold: o.reconnectsPerHour,
      severity: 'warning',
      annotations: { summary: '{{ value }} subscriber reconnects on {{ device }} within an hour' },
    },
    {
      // The monitor's own condition, not a device's: while it fires, polls are late or skipped
      // (never counted against devices), so device statuses may lag behind the network.
      name: 'MonitorOverloaded',
      kind: 'monitor',
      for: '1m',
      severity: 'warning',
      annotations: {
        summary: 'the monitor itself is overloaded: polls are late or skipped, device statuses may lag',
      },
    },
    {
      name: 'BgpSessionDown',
      metric: c.bgpPeerUp.name,
      op: '<',
      threshold: 1,
      for: '1m',
      severity: 'critical',
      annotations: { summary: 'BGP session to {{ labels.peer }} on {{ device }} is down' },
    },
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
