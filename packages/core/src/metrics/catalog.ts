/**
 * The vendor-neutral metric catalogue. Drivers emit these names so that rules and dashboards
 * work for every vendor; each entry says its type, unit and the labels it carries besides
 * `device`.
 */
export interface MetricDef {
  /** Prometheus-style name. */
  readonly name: string;
  /** Gauge, or counter (stored raw; rates at read time). */
  readonly type: 'gauge' | 'counter';
  /** What it measures. */
  readonly help: string;
  /** Labels besides `device`. */
  readonly labels: readonly string[];
}

const def = <N extends string>(name: N, type: MetricDef['type'], help: string, labels: string[] = []) =>
  ({ name, type, help, labels }) as const satisfies MetricDef;

/** The catalogue, by a short key: `catalog.ifInOctets.name`. */
export const catalog = {
  /** `device_up` (gauge): 1 when the last poll reached the device, 0 otherwise. */
  deviceUp: def('device_up', 'gauge', '1 when the last poll reached the device, 0 otherwise'),
  /** `device_uptime_seconds` (gauge): Time since the device booted. */
  deviceUptime: def('device_uptime_seconds', 'gauge', 'Time since the device booted'),
  /** `device_cpu_load_ratio` (gauge): CPU load, 0..1 (per CPU when labelled). */
  deviceCpuLoad: def('device_cpu_load_ratio', 'gauge', 'CPU load, 0..1 (per CPU when labelled)', ['cpu']),
  /** `device_memory_used_bytes` (gauge): Memory in use. */
  deviceMemoryUsed: def('device_memory_used_bytes', 'gauge', 'Memory in use', ['pool']),
  /** `device_memory_total_bytes` (gauge): Memory installed. */
  deviceMemoryTotal: def('device_memory_total_bytes', 'gauge', 'Memory installed', ['pool']),
  /** `device_storage_used_bytes` (gauge): Storage in use. */
  deviceStorageUsed: def('device_storage_used_bytes', 'gauge', 'Storage in use', ['storage']),
  /** `device_storage_total_bytes` (gauge): Storage size. */
  deviceStorageTotal: def('device_storage_total_bytes', 'gauge', 'Storage size', ['storage']),
  /** `device_temperature_celsius` (gauge): Temperature of a sensor. */
  deviceTemperature: def('device_temperature_celsius', 'gauge', 'Temperature of a sensor', ['sensor']),
  /** `device_voltage_volts` (gauge): Voltage of a sensor. */
  deviceVoltage: def('device_voltage_volts', 'gauge', 'Voltage of a sensor', ['sensor']),
  /** `device_poll_duration_seconds` (gauge): How long the last poll took. */
  devicePollDuration: def('device_poll_duration_seconds', 'gauge', 'How long the last poll took'),
  /** `interface_in_octets_total` (counter): Octets received. */
  ifInOctets: def('interface_in_octets_total', 'counter', 'Octets received', ['ifName']),
  /** `interface_out_octets_total` (counter): Octets sent. */
  ifOutOctets: def('interface_out_octets_total', 'counter', 'Octets sent', ['ifName']),
  /** `interface_in_packets_total` (counter): Packets received. */
  ifInPackets: def('interface_in_packets_total', 'counter', 'Packets received', ['ifName']),
  /** `interface_out_packets_total` (counter): Packets sent. */
  ifOutPackets: def('interface_out_packets_total', 'counter', 'Packets sent', ['ifName']),
  /** `interface_in_errors_total` (counter): Inbound packets with errors. */
  ifInErrors: def('interface_in_errors_total', 'counter', 'Inbound packets with errors', ['ifName']),
  /** `interface_out_errors_total` (counter): Outbound packets with errors. */
  ifOutErrors: def('interface_out_errors_total', 'counter', 'Outbound packets with errors', ['ifName']),
  /** `interface_in_discards_total` (counter): Inbound packets discarded. */
  ifInDiscards: def('interface_in_discards_total', 'counter', 'Inbound packets discarded', ['ifName']),
  /** `interface_out_discards_total` (counter): Outbound packets discarded. */
  ifOutDiscards: def('interface_out_discards_total', 'counter', 'Outbound packets discarded', ['ifName']),
  /** `interface_oper_up` (gauge): 1 when the interface is operationally up. */
  ifOperUp: def('interface_oper_up', 'gauge', '1 when the interface is operationally up', ['ifName']),
  /** `interface_admin_up` (gauge): 1 when the interface is administratively up. */
  ifAdminUp: def('interface_admin_up', 'gauge', '1 when the interface is administratively up', ['ifName']),
  /** `interface_speed_bps` (gauge): Interface speed in bits per second. */
  ifSpeed: def('interface_speed_bps', 'gauge', 'Interface speed in bits per second', ['ifName']),
  /** `interface_link_downs_total` (counter): Times the link went down. */
  ifLinkDowns: def('interface_link_downs_total', 'counter', 'Times the link went down', ['ifName']),
  /** `pppoe_sessions_active` (gauge): Active PPPoE sessions. */
  pppoeSessions: def('pppoe_sessions_active', 'gauge', 'Active PPPoE sessions', ['service']),
  /**
   * `subscriber_reconnects_total` (counter): Subscriber sessions that started within the reconnect
   * window after the same user's previous session ended (counted by the storage that keeps history).
   */
  subscriberReconnects: def(
    'subscriber_reconnects_total',
    'counter',
    'Subscriber sessions that restarted within the reconnect window',
    [],
  ),
  /** `dhcp_leases_active` (gauge): Bound DHCP leases. */
  dhcpLeases: def('dhcp_leases_active', 'gauge', 'Bound DHCP leases', ['server']),
  /** `wireless_clients` (gauge): Associated wireless clients. */
  wirelessClients: def('wireless_clients', 'gauge', 'Associated wireless clients', ['interface']),
  /** `wireless_client_signal_dbm` (gauge): Signal strength of a wireless client. */
  wirelessSignal: def('wireless_client_signal_dbm', 'gauge', 'Signal strength of a wireless client', [
    'mac',
    'interface',
  ]),
  /** `queue_bytes_total` (counter): Bytes through a simple queue. */
  queueBytes: def('queue_bytes_total', 'counter', 'Bytes through a simple queue', ['queue', 'direction']),
  /** `bgp_peer_up` (gauge): 1 when the BGP session is established. */
  bgpPeerUp: def('bgp_peer_up', 'gauge', '1 when the BGP session is established', ['peer']),
  /** `bgp_peer_prefixes_received` (gauge): Prefixes received from a BGP peer. */
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
