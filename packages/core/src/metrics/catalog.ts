/**
 * The vendor-neutral metric catalogue. Drivers emit these names so that rules and dashboards
 * work for every vendor; each entry says its type, unit and the labels it carries besides
 * `device`.
 */
export interface MetricDef {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly labels: readonly string[];
}

const def = <N extends string>(name: N, type: MetricDef['type'], help: string, labels: string[] = []) =>
  ({ name, type, help, labels }) as const satisfies MetricDef;

export const catalog = {
  deviceUp: def('device_up', 'gauge', '1 when the last poll reached the device, 0 otherwise'),
  deviceUptime: def('device_uptime_seconds', 'gauge', 'Time since the device booted'),
  deviceCpuLoad: def('device_cpu_load_ratio', 'gauge', 'CPU load, 0..1 (per CPU when labelled)', ['cpu']),
  deviceMemoryUsed: def('device_memory_used_bytes', 'gauge', 'Memory in use', ['pool']),
  deviceMemoryTotal: def('device_memory_total_bytes', 'gauge', 'Memory installed', ['pool']),
  deviceStorageUsed: def('device_storage_used_bytes', 'gauge', 'Storage in use', ['storage']),
  deviceStorageTotal: def('device_storage_total_bytes', 'gauge', 'Storage size', ['storage']),
  deviceTemperature: def('device_temperature_celsius', 'gauge', 'Temperature of a sensor', ['sensor']),
  deviceVoltage: def('device_voltage_volts', 'gauge', 'Voltage of a sensor', ['sensor']),
  devicePollDuration: def('device_poll_duration_seconds', 'gauge', 'How long the last poll took'),
  ifInOctets: def('interface_in_octets_total', 'counter', 'Octets received', ['ifName']),
  ifOutOctets: def('interface_out_octets_total', 'counter', 'Octets sent', ['ifName']),
  ifInPackets: def('interface_in_packets_total', 'counter', 'Packets received', ['ifName']),
  ifOutPackets: def('interface_out_packets_total', 'counter', 'Packets sent', ['ifName']),
  ifInErrors: def('interface_in_errors_total', 'counter', 'Inbound packets with errors', ['ifName']),
  ifOutErrors: def('interface_out_errors_total', 'counter', 'Outbound packets with errors', ['ifName']),
  ifInDiscards: def('interface_in_discards_total', 'counter', 'Inbound packets discarded', ['ifName']),
  ifOutDiscards: def('interface_out_discards_total', 'counter', 'Outbound packets discarded', ['ifName']),
  ifOperUp: def('interface_oper_up', 'gauge', '1 when the interface is operationally up', ['ifName']),
  ifAdminUp: def('interface_admin_up', 'gauge', '1 when the interface is administratively up', ['ifName']),
  ifSpeed: def('interface_speed_bps', 'gauge', 'Interface speed in bits per second', ['ifName']),
  ifLinkDowns: def('interface_link_downs_total', 'counter', 'Times the link went down', ['ifName']),
  pppoeSessions: def('pppoe_sessions_active', 'gauge', 'Active PPPoE sessions', ['service']),
  dhcpLeases: def('dhcp_leases_active', 'gauge', 'Bound DHCP leases', ['server']),
  wirelessClients: def('wireless_clients', 'gauge', 'Associated wireless clients', ['interface']),
  wirelessSignal: def('wireless_client_signal_dbm', 'gauge', 'Signal strength of a wireless client', [
    'mac',
    'interface',
  ]),
  queueBytes: def('queue_bytes_total', 'counter', 'Bytes through a simple queue', ['queue', 'direction']),
  bgpPeerUp: def('bgp_peer_up', 'gauge', '1 when the BGP session is established', ['peer']),
  bgpPrefixes: def('bgp_peer_prefixes_received', 'gauge', 'Prefixes received from a BGP peer', ['peer']),
} as const;

/** Every catalogue name, for validation and docs. */
export const catalogNames: ReadonlySet<string> = new Set(Object.values(catalog).map((m) => m.name));

/** Counter names: rates are computed from these at query and rule time. */
export const counterNames: ReadonlySet<string> = new Set(
  Object.values(catalog)
    .filter((m) => m.type === 'counter')
    .map((m) => m.name),
);
