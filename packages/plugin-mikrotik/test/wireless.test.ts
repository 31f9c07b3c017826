/**
 * Registration-table rows of the three shapes (written from MikroTik's manual: `/interface
 * wireless registration-table`, `/caps-man registration-table`, `/interface wifi
 * registration-table`) and the SSIDs of legacy interfaces.
 */
import { describe, expect, it } from 'vitest';
import { RowTally } from '../src/parts/rows.js';
import { ssidsOf, wirelessClientOf } from '../src/parts/wireless.js';

describe('wirelessClientOf', () => {
  it('legacy: signal-strength with its rate, no SSID in the row', () => {
    const c = wirelessClientOf(
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
    );
    expect(c).toEqual({
      mac: '6c:3b:6b:00:00:01',
      interface: 'wlan1',
      signalDbm: -62,
      txRateBps: 65_000_000,
      rxRateBps: 6_000_000,
      uptimeSeconds: 7800,
      txBytes: 1000,
      rxBytes: 200,
    });
  });

  it('CAPsMAN: rx-signal and the ssid of the row', () => {
    const c = wirelessClientOf(
      {
        interface: 'cap-5g-1',
        ssid: 'isp-wifi',
        'mac-address': '6C:3B:6B:00:00:02',
        'rx-signal': '-71',
        uptime: '5m',
      },
      'capsman',
    );
    expect(c).toMatchObject({ interface: 'cap-5g-1', ssid: 'isp-wifi', signalDbm: -71, uptimeSeconds: 300 });
  });

  it('wifi (v7): signal and ssid', () => {
    const c = wirelessClientOf(
      { interface: 'wifi1', ssid: 'isp-wifi-5g', 'mac-address': '6C:3B:6B:00:00:03', signal: '-55' },
      'wifi',
    );
    expect(c).toMatchObject({ ssid: 'isp-wifi-5g', signalDbm: -55 });
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
