/**
 * The driver against snmpsim serving every recording in ../shared/data/snmprec: the values that
 * are in each recording come out as the right metrics and facts.
 */
import { skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpDriver, type SnmpDriver } from '../src/index.js';
import { missing, noSnmprec, type Peer, snmprecDir, startSnmpsim } from './support/peers.js';
import { pollWith, readRecording, sample, samplesOf } from './support/util.js';

const why = noSnmprec ?? missing('/usr/bin/snmpsimd', 'snmpsim');

describe.skipIf(why)(skipTitle('recordings via snmpsim', why), () => {
  let peer: Peer;
  let driver: SnmpDriver;
  const device = (community: string, extra: Record<string, unknown> = {}) => ({
    id: community,
    host: '127.0.0.1',
    port: peer.port,
    driver: 'snmp',
    snmp: { version: '2c', community, ...extra },
  });

  beforeAll(async () => {
    peer = await startSnmpsim();
    driver = createSnmpDriver();
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('every sample of every recording carries labels.device', async () => {
    for (const c of ['ios', 'junos', 'linux', 'murrant_localhost', 'routeros', 'routeros_rb750gr3']) {
      const r = await pollWith(driver, device(c));
      expect(r.error, c).toBeUndefined();
      expect(r.samples.length, c).toBeGreaterThan(0);
      for (const s of r.samples) expect(s.labels.device).toBe(c);
    }
  });

  it('ios: 61 interfaces by ifName with the 64-bit counters of ifXTable', async () => {
    const r = await pollWith(driver, device('ios'));
    const rec = readRecording(snmprecDir as string, 'ios');
    expect(r.facts?.system?.objectId).toBe('1.3.6.1.4.1.9.1.359');
    expect(r.facts?.system?.vendor).toBe('Cisco');
    expect(r.facts?.system?.description).toMatch(/^Cisco Internetwork Operating System Software/);
    expect(r.facts?.interfaces).toHaveLength(61);
    expect(sample(r, 'interface_in_octets_total', { ifName: 'Gi0/8' }).value).toBe(415790189932477);
    expect(sample(r, 'interface_out_octets_total', { ifName: 'Gi0/8' }).value).toBe(165019524503624);
    expect(sample(r, 'interface_speed_bps', { ifName: 'Gi0/8' }).value).toBe(1_000_000_000);
    // Every interface's in-octets equal its ifHCInOctets in the recording.
    for (const s of samplesOf(r, 'interface_in_octets_total')) {
      const idx = r.facts?.interfaces?.find((i) => i.name === s.labels.ifName)?.index;
      expect(String(s.value)).toBe(rec.get(`1.3.6.1.2.1.31.1.1.1.6.${idx}`)?.value);
    }
    expect(sample(r, 'device_uptime_seconds').value).toBe(29722311.63);
    expect(r.partErrors).toBeUndefined();
  });

  it('iosxe c3850: memory from the Processor pool of CISCO-MEMORY-POOL-MIB (used + free)', async () => {
    const r = await pollWith(driver, device('librenms_iosxe_c3850'));
    const rec = readRecording(snmprecDir as string, 'librenms_iosxe_c3850');
    const used = Number(rec.get('1.3.6.1.4.1.9.9.48.1.1.1.5.1')?.value);
    const free = Number(rec.get('1.3.6.1.4.1.9.9.48.1.1.1.6.1')?.value);
    expect(rec.get('1.3.6.1.4.1.9.9.48.1.1.1.2.1')?.value).toBe('Processor');
    expect(sample(r, 'device_memory_used_bytes', { pool: 'ram' }).value).toBe(used);
    expect(sample(r, 'device_memory_total_bytes', { pool: 'ram' }).value).toBe(used + free);
  });

  it('junos: interfaces from ifDescr, no traffic, no failure; jnxOperating temperatures and CPU', async () => {
    const r = await pollWith(driver, device('junos'));
    expect(r.error).toBeUndefined();
    expect(r.partErrors).toBeUndefined();
    expect(r.facts?.interfaces).toHaveLength(141);
    expect(r.facts?.interfaces?.map((i) => i.name)).toContain('ge-0/0/0');
    expect(samplesOf(r, 'interface_in_octets_total')).toHaveLength(0);
    expect(sample(r, 'device_temperature_celsius', { sensor: 'Routing Engine 0' }).value).toBe(32);
    expect(sample(r, 'device_cpu_load_ratio', { cpu: 'Routing Engine 1' }).value).toBe(0.04);
  });

  it('junos: a custom Counter64 column beyond 2^53 stays exact as a bigint', async () => {
    const column = '1.3.6.1.4.1.2636.3.40.1.4.1.2.1.7';
    const r = await pollWith(
      driver,
      device('junos', {
        tables: [{ name: 'jnx_spu_counter_total', column, type: 'counter' }],
        profile: 'generic',
      }),
    );
    const rec = readRecording(snmprecDir as string, 'junos');
    const s = sample(r, 'jnx_spu_counter_total', { index: '0.12.118.99.112.45.50.53.53.47.48.47.53.48' });
    expect(s.value).toBe(11185496873686234n);
    expect(typeof s.value).toBe('bigint');
    const all = samplesOf(r, 'jnx_spu_counter_total');
    expect(all.length).toBe([...rec.keys()].filter((o) => o.startsWith(`${column}.`)).length);
    for (const x of all)
      expect(BigInt(x.value)).toBe(BigInt(rec.get(`${column}.${x.labels.index}`)?.value as string));
  });

  it('linux: hrProcessorLoad of 8 CPUs', async () => {
    const r = await pollWith(driver, device('linux'));
    const loads = samplesOf(r, 'device_cpu_load_ratio');
    expect(loads).toHaveLength(8);
    expect(sample(r, 'device_cpu_load_ratio', { cpu: '196608' }).value).toBe(0.03);
    expect(sample(r, 'device_cpu_load_ratio', { cpu: '196611' }).value).toBe(0.01);
    expect(r.facts?.interfaces).toEqual([]);
  });

  it('murrant_localhost: HC counters preferred over 32-bit ones, UCD memory and CPU, hrStorage disks', async () => {
    const r = await pollWith(driver, device('murrant_localhost'));
    // ifHCInOctets.1 = 236917637 while ifInOctets.1 = 236368470 in the recording.
    expect(sample(r, 'interface_in_octets_total', { ifName: 'lo' }).value).toBe(236917637);
    expect(sample(r, 'interface_in_octets_total', { ifName: 'wlo1' }).value).toBe(1351135110);
    expect(sample(r, 'device_memory_total_bytes', { pool: 'ram' }).value).toBe(7836232 * 1024);
    // used = total − avail − buffers − cached (kB): 7836232 − 55596 − 1084 − 3723860
    expect(sample(r, 'device_memory_used_bytes', { pool: 'ram' }).value).toBe(
      (7836232 - 55596 - 1084 - 3723860) * 1024,
    );
    expect(sample(r, 'device_cpu_load_ratio', { cpu: 'total' }).value).toBe(0.06);
    expect(sample(r, 'device_storage_total_bytes', { storage: '/' }).value).toBeGreaterThan(0);
    expect(r.facts?.system?.name).toBe('tmurray-linux.exchange.ncn.net');
  });

  it('routeros (RouterOS 6): health scalars, wireless clients, LLDP neighbours', async () => {
    const r = await pollWith(driver, device('routeros'));
    expect(r.facts?.system?.vendor).toBe('MikroTik');
    expect(sample(r, 'device_temperature_celsius', { sensor: 'temperature' }).value).toBe(33);
    expect(sample(r, 'device_voltage_volts', { sensor: 'voltage' }).value).toBe(15.4);
    expect(sample(r, 'device_cpu_load_ratio', { cpu: '1' }).value).toBe(0.21);
    expect(sample(r, 'device_memory_total_bytes', { pool: 'ram' }).value).toBe(65536 * 1024);
    expect(sample(r, 'device_memory_used_bytes', { pool: 'ram' }).value).toBe(27196 * 1024);
    const wlan1 = r.facts?.interfaces?.find((i) => i.index === 1)?.name as string;
    expect(sample(r, 'wireless_clients', { interface: wlan1 }).value).toBe(7);
    expect(sample(r, 'wireless_client_signal_dbm', { mac: 'a4:e4:b8:4a:d5:ca' }).value).toBe(-43);
    expect(r.facts?.wirelessClients).toHaveLength(11);
    const n = r.facts?.neighbours ?? [];
    expect(n.length).toBeGreaterThan(0);
    expect(n.every((x) => x.protocol === 'lldp')).toBe(true);
    expect(n.map((x) => x.remoteId)).toContain('B8:69:F4:7F:41:70');
  });

  it('routeros (RouterOS 6): registrations carry the SSID of their AP interface; ARP from ipNetToMediaTable', async () => {
    const r = await pollWith(driver, device('routeros'));
    const byMac = new Map((r.facts?.wirelessClients ?? []).map((c) => [c.mac, c]));
    // a4:e4:b8:4a:d5:ca is on ifIndex 1, whose mtxrWlApSsid is WARKOP-KOPIBOSS-B.
    expect(byMac.get('a4:e4:b8:4a:d5:ca')?.ssid).toBe('WARKOP-KOPIBOSS-B');
    expect(byMac.get('00:27:10:32:ed:60')?.ssid).toBe('WARKOP-KOPIBOSS');
    // The recording has no byte columns: none is made up.
    expect(byMac.get('a4:e4:b8:4a:d5:ca')).not.toHaveProperty('txBytes');
    expect(r.facts?.arp).toHaveLength(25);
    // ipAddrTable: the addresses of ifIndex 10 (bridge-local) and 11 (pppoe-out1), in CIDR form.
    const byIndex = new Map((r.facts?.interfaces ?? []).map((i) => [i.index, i]));
    expect(byIndex.get(10)?.addresses).toEqual(['192.168.11.1/24']);
    expect(byIndex.get(11)?.addresses).toEqual(['36.76.98.105/32']);
    expect(byIndex.get(1)?.addresses).toEqual([]);
    expect(r.facts?.arp).toContainEqual(
      expect.objectContaining({ address: '192.168.11.115', mac: 'a4:e4:b8:4a:d5:ca' }),
    );
    expect(r.partErrors).toBeUndefined();
  });

  it('murrant_localhost: ARP from ipNetToPhysicalTable, IPv6 included, named by ifName', async () => {
    const r = await pollWith(driver, device('murrant_localhost'));
    const arp = r.facts?.arp ?? [];
    expect(arp).toHaveLength(8);
    expect(arp.find((a) => a.address === 'fe80::76d0:2bff:fe40:8300')).toMatchObject({
      mac: '74:d0:2b:40:83:00',
      type: 'dynamic',
    });
    const if4 = r.facts?.interfaces?.find((i) => i.index === 4)?.name;
    expect(arp[0]?.interface).toBe(if4);
  });

  it('snmp.arp: false walks no ARP table', async () => {
    const r = await pollWith(driver, device('murrant_localhost', { arp: false }));
    expect(r.facts?.arp).toBeUndefined();
  });

  it('routeros_rb750gr3 (RouterOS 7): mtxrGaugeTable temperature and voltage, not the scalars twice', async () => {
    const r = await pollWith(driver, device('routeros_rb750gr3'));
    expect(sample(r, 'device_temperature_celsius', { sensor: 'temperature' }).value).toBe(38);
    expect(sample(r, 'device_voltage_volts', { sensor: 'voltage' }).value).toBe(24.3);
    expect(samplesOf(r, 'device_voltage_volts')).toHaveLength(1);
    expect(r.facts?.interfaces?.length).toBe(14);
  });

  it('slow columns are cached: the second poll walks fewer varbinds and gives the same names', async () => {
    const d = createSnmpDriver();
    const first = await pollWith(d, device('ios'));
    const afterFirst = d.stats.varbinds;
    const second = await pollWith(d, device('ios'));
    const secondCost = d.stats.varbinds - afterFirst;
    expect(secondCost).toBeLessThan(afterFirst);
    expect(second.facts?.interfaces?.map((i) => i.name)).toEqual(first.facts?.interfaces?.map((i) => i.name));
    expect(samplesOf(second, 'interface_in_octets_total')).toHaveLength(61);
  });

  it('a wrong community is a timeout error in the result, and the next device still polls', async () => {
    const bad = {
      ...device('no-such-community'),
      snmp: { version: '2c', community: 'S3cretC0mm', timeout: '300ms', retries: 0 },
    };
    const [r1, r2] = await Promise.all([pollWith(driver, bad), pollWith(driver, device('linux'))]);
    expect(r1.error?.code).toBe('SNMP_TIMEOUT');
    expect(r1.error?.message).not.toContain('S3cretC0mm');
    expect(r2.error).toBeUndefined();
    expect(samplesOf(r2, 'device_cpu_load_ratio')).toHaveLength(8);
  });
});
