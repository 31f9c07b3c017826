import { parseDeclaration } from './define.js';

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

type NameOf<D extends string> = D extends `${infer N}{${string}}` ? N : D;

/** A catalogue entry from its declaration, `name` or `name{label,…}` (labels besides `device`). */
function entry<const D extends string>(type: MetricDef['type'], declaration: D, help: string) {
  const { name, labelNames } = parseDeclaration(declaration);
  return { name: name as NameOf<D>, type, help, labels: labelNames } as const satisfies MetricDef;
}

/** A gauge of the catalogue: `gauge('device_cpu_load_ratio{cpu}', 'CPU load')`. */
const gauge = <const D extends string>(declaration: D, help: string) => entry('gauge', declaration, help);

/** A counter of the catalogue (stored raw; rates at read time). */
const counter = <const D extends string>(declaration: D, help: string) => entry('counter', declaration, help);

/** The catalogue, by a short key: `catalog.ifInOctets.name`. */
export const catalog = {
  /** `device_up` (gauge): 1 when the last poll reached the device, 0 otherwise. */
  deviceUp: gauge('device_up', '1 when the last poll reached the device, 0 otherwise'),
  /** `device_uptime_seconds` (gauge): Time since the device booted. */
  deviceUptime: gauge('device_uptime_seconds', 'Time since the device booted'),
  /** `device_cpu_load_ratio` (gauge): CPU load, 0..1 (per CPU when labelled). */
  deviceCpuLoad: gauge('device_cpu_load_ratio{cpu}', 'CPU load, 0..1 (per CPU when labelled)'),
  /** `device_memory_used_bytes` (gauge): Memory in use. */
  deviceMemoryUsed: gauge('device_memory_used_bytes{pool}', 'Memory in use'),
  /** `device_memory_total_bytes` (gauge): Memory installed. */
  deviceMemoryTotal: gauge('device_memory_total_bytes{pool}', 'Memory installed'),
  /** `device_storage_used_bytes` (gauge): Storage in use. */
  deviceStorageUsed: gauge('device_storage_used_bytes{storage}', 'Storage in use'),
  /** `device_storage_total_bytes` (gauge): Storage size. */
  deviceStorageTotal: gauge('device_storage_total_bytes{storage}', 'Storage size'),
  /** `device_temperature_celsius` (gauge): Temperature of a sensor. */
  deviceTemperature: gauge('device_temperature_celsius{sensor}', 'Temperature of a sensor'),
  /** `device_voltage_volts` (gauge): Voltage of a sensor. */
  deviceVoltage: gauge('device_voltage_volts{sensor}', 'Voltage of a sensor'),
  /** `device_poll_duration_seconds` (gauge): How long the last poll took. */
  devicePollDuration: gauge('device_poll_duration_seconds', 'How long the last poll took'),
  /** `interface_in_octets_total` (counter): Octets received. */
  ifInOctets: counter('interface_in_octets_total{ifName}', 'Octets received'),
  /** `interface_out_octets_total` (counter): Octets sent. */
  ifOutOctets: counter('interface_out_octets_total{ifName}', 'Octets sent'),
  /** `interface_in_packets_total` (counter): Packets received. */
  ifInPackets: counter('interface_in_packets_total{ifName}', 'Packets received'),
  /** `interface_out_packets_total` (counter): Packets sent. */
  ifOutPackets: counter('interface_out_packets_total{ifName}', 'Packets sent'),
  /** `interface_in_errors_total` (counter): Inbound packets with errors. */
  ifInErrors: counter('interface_in_errors_total{ifName}', 'Inbound packets with errors'),
  /** `interface_out_errors_total` (counter): Outbound packets with errors. */
  ifOutErrors: counter('interface_out_errors_total{ifName}', 'Outbound packets with errors'),
  /** `interface_in_discards_total` (counter): Inbound packets discarded. */
  ifInDiscards: counter('interface_in_discards_total{ifName}', 'Inbound packets discarded'),
  /** `interface_out_discards_total` (counter): Outbound packets discarded. */
  ifOutDiscards: counter('interface_out_discards_total{ifName}', 'Outbound packets discarded'),
  /** `interface_oper_up` (gauge): 1 when the interface is operationally up. */
  ifOperUp: gauge('interface_oper_up{ifName}', '1 when the interface is operationally up'),
  /** `interface_admin_up` (gauge): 1 when the interface is administratively up. */
  ifAdminUp: gauge('interface_admin_up{ifName}', '1 when the interface is administratively up'),
  /** `interface_speed_bps` (gauge): Interface speed in bits per second. */
  ifSpeed: gauge('interface_speed_bps{ifName}', 'Interface speed in bits per second'),
  /** `interface_link_downs_total` (counter): Times the link went down. */
  ifLinkDowns: counter('interface_link_downs_total{ifName}', 'Times the link went down'),
  /** `pppoe_sessions_active` (gauge): Active PPPoE sessions. */
  pppoeSessions: gauge('pppoe_sessions_active{service}', 'Active PPPoE sessions'),
  /**
   * `subscriber_reconnects_total` (counter): Subscriber sessions that started within the reconnect
   * window after the same user's previous session ended (counted by the storage that keeps history).
   */
  subscriberReconnects: counter(
    'subscriber_reconnects_total',
    'Subscriber sessions that restarted within the reconnect window',
  ),
  /** `dhcp_leases_active` (gauge): Bound DHCP leases. */
  dhcpLeases: gauge('dhcp_leases_active{server}', 'Bound DHCP leases'),
  /** `wireless_clients` (gauge): Associated wireless clients. */
  wirelessClients: gauge('wireless_clients{interface}', 'Associated wireless clients'),
  /** `wireless_client_signal_dbm` (gauge): Signal strength of a wireless client. */
  wirelessSignal: gauge('wireless_client_signal_dbm{mac,interface}', 'Signal strength of a wireless client'),
  /** `queue_bytes_total` (counter): Bytes through a simple queue. */
  queueBytes: counter('queue_bytes_total{queue,direction}', 'Bytes through a simple queue'),
  /** `bgp_peer_up` (gauge): 1 when the BGP session is established. */
  bgpPeerUp: gauge('bgp_peer_up{peer}', '1 when the BGP session is established'),
  /** `bgp_peer_prefixes_received` (gauge): Prefixes received from a BGP peer. */
  bgpPrefixes: gauge('bgp_peer_prefixes_received{peer}', 'Prefixes received from a BGP peer'),
} as const;

/** Every catalogue name, for validation and docs. */
export const catalogNames: ReadonlySet<string> = new Set(Object.values(catalog).map((m) => m.name));

/** Counter names: rates are computed from these at query and rule time. */
export const counterNames: ReadonlySet<string> = new Set(
  Object.values(catalog)
    .filter((m) => m.type === 'counter')
    .map((m) => m.name),
);
