/**
 * Registration-table rows of the three shapes (written from MikroTik's manual: `/interface
 * wireless registration-table`, `/caps-man registration-table`, `/interface wifi
 * registration-table`) and the SSIDs of legacy interfaces.
 */
import { describe, expect, it } from 'vitest';
import { RowTally } from '../src/parts/rows.js';
import { ssidsOf, wirelessClientOf } from '../src/parts/wireless.js';

type Shape = Parameters<typeof wirelessClientOf>[1];
type Client = NonNullable<ReturnType<typeof wirelessClientOf>>;

describe('wirelessClientOf', () => {
  // `exact`: the whole client is compared; `fields`: only the fields given.
  it.each<[string, Record<string, string>, Shape, 'exact' | 'fields', Partial<Client>]>([
    [
      'legacy: signal-strength with its rate, no SSID in the row',
      {
        interface: 'wlan1',
        'mac-address': '6C:3B:6B:00:00:01',
        'signal-strength': '-62@6Mbps',
        'tx-rate': '65Mbps-20MHz/1S/SGI',
        'rx-rate': '6Mbps',
        uptime: '2h10m',
        bytes: '1000,200',
      },
      'legacy',
      'exact',
      {
        mac: '6c:3b:6b:00:00:01',
        interface: 'wlan1',
        signalDbm: -62,
        txRateBps: 65_000_000,
        rxRateBps: 6_000_000,
        uptimeSeconds: 7800,
        txBytes: 1000,
        rxBytes: 200,
      },
    ],
    [
      'legacy (v6): signal-strength with a channel width, bytes pair',
      {
        interface: 'wlan1',
        'mac-address': 'AA:BB:CC:00:11:22',
        'signal-strength': '-62@HT20-7',
        'tx-rate': '65Mbps-20MHz/1S/SGI',
        'rx-rate': '6Mbps',
        uptime: '1h2m3s',
        bytes: '123,456',
      },
      'legacy',
      'exact',
      {
        mac: 'aa:bb:cc:00:11:22',
        interface: 'wlan1',
        signalDbm: -62,
        txRateBps: 65_000_000,
        rxRateBps: 6_000_000,
        uptimeSeconds: 3723,
        txBytes: 123,
        rxBytes: 456,
      },
    ],
    [
      'CAPsMAN: rx-signal and the ssid of the row',
      {
        interface: 'cap-5g-1',
        ssid: 'isp-wifi',
        'mac-address': '6C:3B:6B:00:00:02',
        'rx-signal': '-71',
        uptime: '5m',
      },
      'capsman',
      'fields',
      { interface: 'cap-5g-1', ssid: 'isp-wifi', signalDbm: -71, uptimeSeconds: 300 },
    ],
    [
      'wifi (v7): signal and ssid',
      { interface: 'wifi1', ssid: 'isp-wifi-5g', 'mac-address': '6C:3B:6B:00:00:03', signal: '-55' },
      'wifi',
      'fields',
      { ssid: 'isp-wifi-5g', signalDbm: -55 },
    ],
    [
      'wifi (v7): plain signal, a rate with its channel width',
      {
        interface: 'wifi1',
        'mac-address': 'AA:BB:CC:00:11:22',
        signal: '-71',
        'tx-rate': '866.6Mbps-80MHz/2S/SGI',
      },
      'wifi',
      'fields',
      { signalDbm: -71, txRateBps: 866_600_000 },
    ],
  ])('%s', (_title, row, shape, compare, want) => {
    const c = wirelessClientOf(row, shape);
    if (compare === 'exact') expect(c).toEqual(want);
    else expect(c).toMatchObject(want);
  });

  it('a junk SSID is dropped (the client kept); a row without a valid MAC or interface is skipped and counted', () => {
    const tally = new RowTally();
    const ok = wirelessClientOf(
      { interface: 'wifi1', ssid: 'a\u0000b', 'mac-address': '6C:3B:6B:00:00:04' },
      'wifi',
      tally,
    );
    expect(ok).toEqual({ mac: '6c:3b:6b:00:00:04', interface: 'wifi1' });
    expect(wirelessClientOf({ interface: 'wifi1', 'mac-address': 'nope' }, 'wifi', tally)).toBeUndefined();
    expect(wirelessClientOf({ 'mac-address': '6C:3B:6B:00:00:05' }, 'wifi', tally)).toBeUndefined();
    expect(wirelessClientOf({ interface: 'wifi1' }, 'wifi')).toBeUndefined();
    expect(
      wirelessClientOf({ interface: 'x'.repeat(1000), 'mac-address': '6C:3B:6B:00:00:06' }, 'wifi', tally),
    ).toBeUndefined();
    expect(tally.skipped).toBe(3);
  });
});

describe('ssidsOf', () => {
  it('maps interface names to SSIDs (virtual APs too); junk is left out', () => {
    const m = ssidsOf([
      { name: 'wlan1', ssid: 'isp-wifi' },
      { name: 'wlan2', ssid: 'isp-wifi-5g' },
      { name: 'wlan-guest', ssid: 'guest' },
      { name: 'wlan3', ssid: '' },
      { name: 'wlan4', ssid: 'bad\u0001' },
    ]);
    expect([...m]).toEqual([
      ['wlan1', 'isp-wifi'],
      ['wlan2', 'isp-wifi-5g'],
      ['wlan-guest', 'guest'],
    ]);
  });
});
