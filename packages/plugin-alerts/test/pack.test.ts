import { createMonitor } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { alerts } from '../src/index.js';
import { baseOptions, type Harness, harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const firing = (h: Harness) =>
  h.api
    .list({ state: 'firing' })
    .map((a) => `${a.rule}:${a.labels.severity}:${a.labels.ifName ?? a.labels.device}`);

describe('ISP rule pack', () => {
  it('is opt-in', async () => {
    h = await harness(baseOptions());
    h.status('r1', 'offline');
    await h.advance(10 * 60_000);
    expect(h.api.list()).toHaveLength(0);
  });

  it('link utilisation: rate of octets × 8 over interface speed, 80 % warning and 95 % critical', async () => {
    h = await harness(baseOptions({ pack: { isp: true } }));
    // 100 Mbit/s on a 32-bit counter: ~730 MB a minute, so the counter wraps during the test.
    const speed = 100_000_000;
    let octets = 2 ** 32 - 2_000_000_000;
    for (let i = 0; i <= 12; i++) {
      h.samples('r1', [
        { name: 'interface_speed_bps', value: speed, labels: { ifName: 'sfp1' } },
        { name: 'interface_in_octets_total', value: octets % 2 ** 32, labels: { ifName: 'sfp1' } },
      ]);
      octets += (0.97 * speed * 60) / 8; // 97 % of the speed for 60 s
      await h.advance(60_000);
    }
    expect(firing(h).sort()).toEqual([
      'LinkUtilisationHigh:critical:sfp1',
      'LinkUtilisationHigh:warning:sfp1',
    ]);
    expect(h.api.list({ state: 'firing' })[0]?.annotations.summary).toMatch(
      /sfp1 on r1 at 97% of its speed \(in\)/,
    );
  });

  it('reboot (uptime went back), CPU, memory ratio, temperature, BGP and weak signal', async () => {
    h = await harness(baseOptions({ pack: { isp: { cpu: 0.8, temperature: 60 } } }));
    for (let i = 0; i <= 11; i++) {
      h.samples('r1', [
        { name: 'device_uptime_seconds', value: i === 6 ? 30 : 100_000 + i * 60 },
        { name: 'device_cpu_load_ratio', value: 0.85 },
        { name: 'device_memory_used_bytes', value: 950, labels: { pool: 'main' } },
        { name: 'device_memory_total_bytes', value: 1000, labels: { pool: 'main' } },
        { name: 'device_temperature_celsius', value: 65, labels: { sensor: 'board' } },
        { name: 'bgp_peer_up', value: 0, labels: { peer: '192.0.2.1' } },
        { name: 'wireless_client_signal_dbm', value: -85, labels: { mac: 'aa:bb', interface: 'wlan1' } },
      ]);
      await h.advance(60_000);
    }
    expect(new Set(h.api.list({ state: 'firing' }).map((a) => a.rule))).toEqual(
      new Set([
        'DeviceRebooted',
        'HighCpu',
        'HighMemory',
        'HighTemperature',
        'BgpSessionDown',
        'WeakWirelessSignal',
      ]),
    );
  });

  it('PPPoE mass disconnect: sessions falling by more than 30 % within minutes', async () => {
    h = await harness(baseOptions({ pack: { isp: true } }));
    for (const v of [1000, 1010, 990, 1005, 600]) {
      h.samples('bras1', [{ name: 'pppoe_sessions_active', value: v }]);
      await h.advance(60_000);
    }
    expect(firing(h)).toEqual(['PppoeMassDisconnect:critical:bras1']);
    expect(h.api.list({ state: 'firing' })[0]?.annotations.summary).toMatch(/fell by 40\.59/);
  });

  it('subscriber flapping: more reconnects than reconnectsPerHour within an hour, per router', async () => {
    h = await harness(baseOptions({ pack: { isp: { reconnectsPerHour: 20 } } }));
    // The storage publishes the cumulative count every 2 minutes: 3 more each time on bras1 (about
    // 87 within the last hour), 1 more every other time on bras2 (about 15: under the threshold).
    for (let i = 0; i <= 30; i++) {
      h.samples('bras1', [{ name: 'subscriber_reconnects_total', value: 3 * i }]);
      h.samples('bras2', [{ name: 'subscriber_reconnects_total', value: Math.floor(i / 2) }]);
      await h.advance(2 * 60_000);
    }
    expect(firing(h)).toEqual(['SubscriberFlapping:warning:bras1']);
    expect(h.api.list({ state: 'firing' })[0]?.annotations.summary).toMatch(
      /^\d+ subscriber reconnects on bras1 within an hour$/,
    );
  });

  it('interface down only on uplinks (device label or ifAlias)', async () => {
    h = await harness(baseOptions({ pack: { isp: true } }), {
      devices: [{ id: 'r1', host: '127.0.0.1', driver: 'test', labels: { uplinks: 'sfp1, sfp2' } }],
    });
    for (let i = 0; i < 3; i++) {
      h.samples('r1', [
        { name: 'interface_oper_up', value: 0, labels: { ifName: 'sfp1' } },
        { name: 'interface_oper_up', value: 0, labels: { ifName: 'ether5' } },
        { name: 'interface_oper_up', value: 0, labels: { ifName: 'ether6', ifAlias: 'UPLINK to transit' } },
      ]);
      await h.advance(60_000);
    }
    expect(firing(h).sort()).toEqual(['InterfaceDown:critical:ether6', 'InterfaceDown:critical:sfp1']);
  });

  it('device down, and the pack thresholds are configurable', async () => {
    h = await harness(baseOptions({ pack: { isp: { downFor: '30s' } } }));
    h.status('r1', 'unreachable');
    await h.advance(40_000);
    expect(firing(h)).toEqual(['DeviceDown:critical:r1']);
  });
});

describe('configuration errors at load', () => {
  const make = (options: Parameters<typeof alerts>[0]) =>
    createMonitor({ plugins: [alerts(options)], logger: createFakeLogger() });

  it('a bad template or rule fails createMonitor with an error naming the rule', async () => {
    await expect(
      make({
        rules: [
          { name: 'Ok', metric: 'device_up' },
          { name: 'Typo', metric: 'device_up', annotations: { s: '{{ vlaue }}' } },
        ],
      }),
    ).rejects.toThrow(/alert rule "Typo" \(rules\[1\]\).*unknown variable "vlaue"/);
    await expect(make({ ruleFiles: ['/nonexistent/rules.yaml'] })).rejects.toThrow(/rules.yaml/);
  });

  it('routes naming unknown receivers, bad matchers and bad CIDRs are refused', async () => {
    await expect(make({ receivers: [{ name: 'noc' }], route: { receiver: 'nobody' } })).rejects.toThrow(
      /receiver "nobody"/,
    );
    await expect(
      make({ receivers: [{ name: 'noc' }], route: { receiver: 'noc', routes: [{ matchers: '{a=~"("}' }] } }),
    ).rejects.toThrow(/route 0.0: invalid regex/);
    await expect(
      make({ receivers: [{ name: 'noc', webhook: [{ url: 'http://127.0.0.1/', deny: ['not-a-cidr'] }] }] }),
    ).rejects.toThrow(/invalid CIDR/);
    await expect(
      make({
        receivers: [{ name: 'noc', webhook: [{ url: 'http://127.0.0.1/', secret: 'whsec_x' } as never] }],
      }),
    ).rejects.toThrow(/secret/);
  });
});
