import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RangeQuery, SampleQuery, SeriesData } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { counterIncrease, lastRate, portState, uplinksOf, utilisation } from '../src/interfaces/rates.js';
import { rateWindowMs } from '../src/interfaces/readings.js';
import { interfaceTable } from '../src/interfaces/table.js';
import { parseSysDescr, systemView } from '../src/routers/sysdescr.js';
import { defaultCharted, parseView, stepFor, viewQuery } from '../ui/src/components/interface-url.js';
import { percentile, rangeStats } from '../ui/src/lib/series.js';

/** The recordings of real devices (see data/PROVENANCE.md), beside the repository. */
const RECORDINGS = fileURLToPath(new URL('../../../../shared/data/snmprec/', import.meta.url));

describe('95th percentile and range statistics', () => {
  it('takes the nearest rank ⌈0.95·n⌉ of the sorted values', () => {
    const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    // 20 values: rank 19.
    expect(percentile(oneTo(20), 0.95)).toBe(19);
    // A day of 5-minute samples: ⌈273.6⌉ = 274, so the 14 busiest intervals are not billed.
    expect(percentile(oneTo(288).reverse(), 0.95)).toBe(274);
    expect(percentile(oneTo(100), 0.95)).toBe(95);
    // Order does not matter; gaps (NaN) are left out: [1, 3, 5] → rank ⌈2.85⌉ = 3.
    expect(percentile([5, Number.NaN, 1, 3], 0.95)).toBe(5);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.95)).toBeUndefined();
    expect(percentile([1, 2], 0)).toBeUndefined();
  });

  it('gives max, average and 95th of the points in the window, gaps not counted as zero', () => {
    const pts: Array<[number, number]> = [
      [0, 10],
      [1000, 20],
      [2000, 30],
      [3000, Number.NaN],
      [4000, 40],
    ];
    // 10, 20, 30, 40: average 25; ⌈3.8⌉ = 4th value.
    expect(rangeStats(pts)).toEqual({ max: 40, avg: 25, p95: 40, count: 4 });
    // Zoomed to [1000, 2000]: 20 and 30; ⌈1.9⌉ = 2nd value.
    expect(rangeStats(pts, [1000, 2000])).toEqual({ max: 30, avg: 25, p95: 30, count: 2 });
    expect(rangeStats(pts, [5000, 6000])).toBeUndefined();
  });
});

describe('utilisation and port state', () => {
  it('is bits/s over speed, clamped to 0–1, unknown without a speed', () => {
    expect(utilisation(500e6, 1e9)).toBe(0.5);
    expect(utilisation(25e6, 100e6)).toBe(0.25);
    // A counter glitch (the 406 % of the issue) or an under-reported speed: never over 100 %.
    expect(utilisation(4.06e9, 1e9)).toBe(1);
    expect(utilisation(-5, 1e9)).toBe(0);
    expect(utilisation(100, 0)).toBeUndefined();
    expect(utilisation(100, undefined)).toBeUndefined();
    expect(utilisation(undefined, 1e9)).toBeUndefined();
    expect(utilisation(Number.NaN, 1e9)).toBeUndefined();
  });

  it('keeps admin-down apart from down', () => {
    expect(portState(false, false)).toBe('admin-down');
    expect(portState(false, true)).toBe('admin-down');
    expect(portState(true, false)).toBe('down');
    expect(portState(undefined, false)).toBe('down');
    expect(portState(true, true)).toBe('up');
    expect(portState(undefined, undefined)).toBe('unknown');
  });

  it('reads the uplinks label in order', () => {
    expect(uplinksOf({ uplinks: ' ether1, sfp-sfpplus1 ,' })).toEqual(['ether1', 'sfp-sfpplus1']);
    expect(uplinksOf({ site: 'BEY' })).toEqual([]);
    expect(uplinksOf(undefined)).toEqual([]);
  });
});

describe('per-second rates from counters', () => {
  it('handles 32-bit wrap and resets like the store does', () => {
    expect(counterIncrease(100, 250)).toBe(150);
    // ifInOctets passed 2^32: 2^32 − 4,294,967,000 = 296 to the top, then 200 more.
    expect(counterIncrease(4_294_967_000, 200)).toBe(496);
    // A 64-bit counter going down is a reset (reboot): it counted 1,000 since.
    expect(counterIncrease(5_000_000_000, 1000)).toBe(1000);
    // Far from the top of 32 bits, a fall is a reset too (a wrap would mean 4.29 G octets).
    expect(counterIncrease(1_000_000, 500)).toBe(500);
  });

  it('is the increase of the last two readings over their time apart', () => {
    expect(
      lastRate([
        [0, 100],
        [10_000, 1_100],
      ]),
    ).toBe(100);
    expect(
      lastRate([
        [0, 0],
        [5_000, 500],
        [10_000, 1_500],
      ]),
    ).toBe(200);
    // 496 octets in 5 s across the wrap.
    expect(
      lastRate([
        [0, 4_294_967_000],
        [5_000, 200],
      ]),
    ).toBeCloseTo(99.2, 10);
    expect(lastRate([[0, 1]])).toBeUndefined();
    expect(
      lastRate([
        [5_000, 1],
        [5_000, 2],
      ]),
    ).toBeUndefined();
  });

  it('looks back ten polls, between two and thirty minutes', () => {
    expect(rateWindowMs('5s')).toBe(120_000);
    expect(rateWindowMs('60s')).toBe(600_000);
    expect(rateWindowMs('10m')).toBe(1_800_000);
    expect(rateWindowMs(undefined)).toBe(600_000);
  });
});

describe('the interface table of a router', () => {
  const now = 1_800_000_000_000;
  /** Stored readings: name → ifName → points. */
  const stored: Record<string, Record<string, Array<[number, number]>>> = {
    interface_in_octets_total: {
      // 1,250,000 octets in 10 s = 125,000 B/s = 1 Mb/s.
      ether1: [
        [now - 20_000, 0],
        [now - 10_000, 1_000_000],
        [now, 2_250_000],
      ],
      // 2 Mb/s on a 1 Mb/s port: clamped to 100 %.
      ether2: [
        [now - 10_000, 0],
        [now, 2_500_000],
      ],
    },
    interface_out_octets_total: {
      // Across a 32-bit wrap: 496 octets in 4 s = 124 B/s = 992 b/s.
      ether1: [
        [now - 4_000, 4_294_967_000],
        [now, 200],
      ],
    },
    interface_in_errors_total: {
      ether1: [
        [now - 10_000, 10],
        [now, 15],
      ],
    },
  };
  const samples: SampleQuery = {
    async range(q: RangeQuery): Promise<SeriesData[]> {
      if (q.fn !== 'raw') return [];
      return Object.entries(stored[q.name] ?? {}).map(([ifName, points]) => ({
        labels: { device: 'r1', ifName },
        points: points.filter(([t]) => t >= q.from && t <= q.to),
      }));
    },
    async latest() {
      return [];
    },
  };
  const row = (name: string, extra: object) => ({
    id: `r1:${name}`,
    device: 'r1',
    index: name,
    name,
    ...extra,
  });

  it('computes rates server-side, uplinks first, admin-down its own state, unknown speed as such', async () => {
    const t = await interfaceTable({
      device: {
        id: 'r1',
        host: '127.0.0.1',
        driver: 'snmp',
        interval: '5s',
        labels: { uplinks: 'ether3,ether1' },
      },
      interfaces: [
        row('ether1', { speedBps: 10e6, adminUp: true, operUp: true }),
        row('ether2', { speedBps: 1e6, adminUp: true, operUp: true }),
        row('ether3', { adminUp: true, operUp: false }),
        row('ether4', { speedBps: 1e9, adminUp: false, operUp: false }),
      ],
      samples,
      now,
    });
    expect(t.items.map((r) => r.name)).toEqual(['ether3', 'ether1', 'ether2', 'ether4']);
    expect(t.at).toBe(now);
    const [e3, e1, e2, e4] = t.items;
    expect(e1).toMatchObject({
      inBps: 1_000_000,
      outBps: 992,
      inUtil: 0.1,
      inErrorsPerSec: 0.5,
      uplink: true,
    });
    // 992 b/s of 10 Mb/s, to six decimals.
    expect(e1?.outUtil).toBe(0.000099);
    expect(e2).toMatchObject({ inBps: 2_000_000, inUtil: 1, outBps: null, outUtil: null });
    expect(e3).toMatchObject({ state: 'down', uplink: true, speedBps: null, inUtil: null });
    expect(e4).toMatchObject({ state: 'admin-down', inBps: null });
    expect(e1?.sparkIn).toHaveLength(30);
  });

  it('answers without storage: rows without rates', async () => {
    const t = await interfaceTable({
      device: { id: 'r1', host: '127.0.0.1', driver: 'snmp' },
      interfaces: [row('ether1', { speedBps: 1e9, operUp: true })],
      samples: undefined,
      now,
    });
    expect(t.rates).toBe(false);
    expect(t.items[0]).toMatchObject({ state: 'up', inBps: null, inUtil: null });
  });
});

describe('the router view in the URL', () => {
  it('round-trips range, zoom, charted interfaces and sort', () => {
    const view = {
      range: '7d',
      zoom: [1_796_400_000_000, 1_796_403_600_000] as [number, number],
      ifs: ['Te1/1/1', 'ether 2,b'],
      sort: { key: 'inUtil', dir: 'desc' as const },
    };
    const q = viewQuery(view);
    expect(parseView(new URLSearchParams(q))).toEqual(view);
    expect(viewQuery(parseView(new URLSearchParams('')))).toBe('');
    // Nothing charted on purpose is not the default choice.
    expect(parseView(new URLSearchParams(viewQuery({ range: '24h', ifs: [] }))).ifs).toEqual([]);
  });

  it('ignores what is malformed', () => {
    const v = parseView(new URLSearchParams('range=99y&from=abc&to=5&sort=x;drop.desc'));
    expect(v).toEqual({ range: '24h' });
    // A zoom must end after it starts.
    expect(parseView(new URLSearchParams('from=1796403600000&to=1796400000000')).zoom).toBeUndefined();
  });

  it('picks finer steps as the window narrows, and charts uplinks first by default', () => {
    expect(stepFor(3_600_000)).toBe(10_000);
    expect(stepFor(24 * 3_600_000)).toBe(300_000);
    expect(stepFor(30 * 86_400_000)).toBe(7_200_000);
    const rows = [
      { name: 'a', uplink: false, state: 'up', inBps: 5, outBps: 1 },
      { name: 'b', uplink: false, state: 'up', inBps: 50, outBps: 1 },
      { name: 'up2', uplink: true, state: 'down', inBps: null, outBps: null },
      { name: 'c', uplink: false, state: 'admin-down', inBps: 500, outBps: 1 },
    ];
    expect(defaultCharted(rows, 2)).toEqual(['up2', 'b']);
  });
});

/** sysDescr of each recording, decoded (`4x` is hex), keyed by file name. */
function recordedSysDescr(): Map<string, { descr: string; objectId?: string }> {
  const out = new Map<string, { descr: string; objectId?: string }>();
  for (const file of readdirSync(RECORDINGS).filter((f) => f.endsWith('.snmprec'))) {
    const lines = readFileSync(join(RECORDINGS, file), 'latin1').split('\n');
    const get = (oid: string) => {
      const line = lines.find((l) => l.startsWith(`${oid}|`));
      if (!line) return undefined;
      const [, type, value = ''] = line.split('|');
      return type === '4x' ? Buffer.from(value, 'hex').toString('latin1') : value;
    };
    const descr = get('1.3.6.1.2.1.1.1.0');
    if (descr !== undefined) out.set(file, { descr, objectId: get('1.3.6.1.2.1.1.2.0') });
  }
  return out;
}

describe('sysDescr parsing', () => {
  const haveRecordings = existsSync(RECORDINGS);
  it.skipIf(!haveRecordings)('reads vendor, OS, version and model from the recorded devices', () => {
    const rec = recordedSysDescr();
    const parse = (file: string) => {
      const r = rec.get(file);
      if (!r) throw new Error(`${file} has no sysDescr`);
      return parseSysDescr(r.descr, r.objectId);
    };
    const expected: [string, ReturnType<typeof parseSysDescr>][] = [
      ['ios.snmprec', { vendor: 'Cisco', os: 'IOS', version: '12.1(22)EA14', model: 'C2950' }],
      [
        'librenms_iosxe_c3850.snmprec',
        { vendor: 'Cisco', os: 'IOS-XE', version: '16.9.6', model: 'Catalyst L3 Switch' },
      ],
      [
        'librenms_iosxe_c8500-20x6c.snmprec',
        { vendor: 'Cisco', os: 'IOS-XE', version: '17.17.20240828:191717', model: 'c8000aep' },
      ],
      ['junos.snmprec', { vendor: 'Juniper', os: 'Junos', version: '12.3X48-D35.7', model: 'srx100h2' }],
      [
        'librenms_junos_qfx5100.snmprec',
        { vendor: 'Juniper', os: 'Junos', version: '14.1X53-D40.8', model: 'qfx5100-48s-6q' },
      ],
      ['librenms_routeros_rb433gl.snmprec', { vendor: 'MikroTik', os: 'RouterOS', model: 'RB433GL' }],
      ['routeros_rb750gr3.snmprec', { vendor: 'MikroTik', os: 'RouterOS', model: 'RB750Gr3' }],
      // sysDescr is only the identity here; sysObjectID still says MikroTik.
      ['routeros.snmprec', { vendor: 'MikroTik', os: 'RouterOS' }],
      ['linux.snmprec', { vendor: 'net-snmp', os: 'Linux', version: '4.9.0' }],
      ['murrant_localhost.snmprec', { vendor: 'net-snmp', os: 'Linux', version: '4.5.3-gentoo' }],
    ];
    for (const [file, want] of expected) expect(parse(file), file).toEqual(want);
    // Every recording gives at least an OS.
    for (const [file, r] of rec) expect(parseSysDescr(r.descr, r.objectId).os, file).toBeTruthy();
  });

  it('reads the other formats an ISP meets', () => {
    expect(parseSysDescr('RouterOS CCR1036-12G-4S')).toEqual({
      vendor: 'MikroTik',
      os: 'RouterOS',
      model: 'CCR1036-12G-4S',
    });
    // What the RouterOS API driver builds from /system/resource.
    expect(parseSysDescr('RouterOS 7.16 (stable) arm64')).toEqual({
      vendor: 'MikroTik',
      os: 'RouterOS',
      version: '7.16 (stable)',
    });
    expect(
      parseSysDescr(
        'Cisco IOS Software, 2800 Software (C2800NM-ADVIPSERVICESK9-M), Version 15.1(4)M12a, RELEASE SOFTWARE (fc1)',
      ),
    ).toEqual({ vendor: 'Cisco', os: 'IOS', version: '15.1(4)M12a', model: '2800' });
    expect(
      parseSysDescr(
        'Cisco IOS Software, C3850 Software (CAT3K_CAA-UNIVERSALK9-M), Version 16.12.4, RELEASE SOFTWARE (fc5)\r\nTechnical Support: http://www.cisco.com/techsupport',
      ),
    ).toEqual({ vendor: 'Cisco', os: 'IOS-XE', version: '16.12.4', model: 'C3850' });
    expect(
      parseSysDescr(
        'Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(5), RELEASE SOFTWARE Copyright (c) 2002-2020',
      ),
    ).toEqual({ vendor: 'Cisco', os: 'NX-OS', version: '9.3(5)', model: 'n9000' });
    expect(parseSysDescr('EdgeOS v2.0.9-hotfix.2.5402463.210511.1317', '1.3.6.1.4.1.41112.1.5')).toEqual({
      vendor: 'Ubiquiti',
      os: 'EdgeOS',
      version: '2.0.9-hotfix.2',
    });
    expect(
      parseSysDescr('Arista Networks EOS version 4.22.1F running on an Arista Networks DCS-7050SX-64'),
    ).toEqual({ vendor: 'Arista', os: 'EOS', version: '4.22.1F', model: 'DCS-7050SX-64' });
    expect(
      parseSysDescr(
        'Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.180 (NE40E V800R011C00SPC200)',
      ),
    ).toEqual({ vendor: 'Huawei', os: 'VRP', version: '8.180', model: 'NE40E' });
  });

  it('never throws on junk, and the driver’s own facts win', () => {
    expect(parseSysDescr(undefined)).toEqual({});
    expect(parseSysDescr('')).toEqual({});
    expect(parseSysDescr('\u0000'.repeat(10_000), 'not an oid')).toEqual({});
    expect(parseSysDescr('Cisco '.repeat(2000))).toMatchObject({ vendor: 'Cisco' });
    expect(
      systemView({
        vendor: 'MikroTik',
        model: 'hAP',
        version: '7.16 (stable)',
        description: 'RouterOS 7.16 (stable) arm',
      }),
    ).toEqual({
      vendor: 'MikroTik',
      model: 'hAP',
      version: '7.16 (stable)',
      description: 'RouterOS 7.16 (stable) arm',
      os: 'RouterOS',
    });
  });
});
