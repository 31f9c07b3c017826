/** Trap intake policy: known sources only, debounced forced polls, drops counted; a real flood on loopback. */
import type { TrapEvent } from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import snmp from 'net-snmp';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { optionsSchema } from '../src/settings.js';
import { createTrapIntake } from '../src/trap-intake.js';
import { startTrapReceiver } from '../src/traps.js';

function intakeFor(devices: Record<string, string>, acceptUnknownSources = false) {
  const clock = new FakeClock();
  const metrics = new Registry();
  const published: TrapEvent[] = [];
  const polled: string[] = [];
  const intake = createTrapIntake({
    acceptUnknownSources,
    pollDebounceMs: 10_000,
    deviceAt: (a) => devices[a],
    publish: (e) => published.push(e),
    pollNow: (id) => polled.push(id),
    clock,
    metrics,
  });
  const count = async (name: string, reason?: string) => {
    const m = (await metrics.getMetricsAsJSON()).find((x) => x.name === name);
    return m?.values.find((v) => (reason ? v.labels.reason === reason : true))?.value ?? 0;
  };
  return { clock, intake, published, polled, count };
}

const trap = (source: string, kind?: string, device?: string): TrapEvent => ({
  source,
  trapOid: kind === 'linkDown' ? '1.3.6.1.6.3.1.1.5.3' : '1.3.6.1.4.1.9.9.1',
  varbinds: [],
  ts: 0,
  ...(kind ? { kind } : {}),
  ...(device ? { device } : {}),
});

describe('trap intake', () => {
  it('publishes traps from device addresses only, setting the device from the source (never from the payload)', async () => {
    const t = intakeFor({ '127.0.0.5': 'r5' });
    t.intake.accept(trap('127.0.0.5', 'linkDown'));
    t.intake.accept(trap('127.0.0.9', 'linkDown', 'r5')); // a sender naming a device it is not
    expect(t.published.map((e) => [e.source, e.device])).toEqual([['127.0.0.5', 'r5']]);
    expect(t.polled).toEqual(['r5']);
    expect(await t.count('ispmonitor_snmp_traps_dropped_total', 'unknown-source')).toBe(1);
    expect(await t.count('ispmonitor_snmp_traps_received_total')).toBe(1);
  });

  it('with acceptUnknownSources, publishes them without a device and polls nothing', () => {
    const t = intakeFor({}, true);
    t.intake.accept(trap('127.0.0.9', 'linkDown', 'r5'));
    expect(t.published).toEqual([expect.objectContaining({ source: '127.0.0.9' })]);
    expect(t.published[0]?.device).toBeUndefined();
    expect(t.polled).toEqual([]);
  });

  it('forces at most one poll per device per debounce window; every trap is still published', async () => {
    const t = intakeFor({ '127.0.0.5': 'r5', '127.0.0.6': 'r6' });
    for (let i = 0; i < 50; i++) t.intake.accept(trap('127.0.0.5', 'linkDown'));
    t.intake.accept(trap('127.0.0.6', 'linkDown'));
    t.intake.accept(trap('127.0.0.5')); // not a state trap: no poll
    expect(t.polled).toEqual(['r5', 'r6']);
    await t.clock.advance(9_999);
    t.intake.accept(trap('127.0.0.5', 'linkDown'));
    expect(t.polled).toEqual(['r5', 'r6']);
    await t.clock.advance(1);
    t.intake.accept(trap('127.0.0.5', 'linkDown'));
    expect(t.polled).toEqual(['r5', 'r6', 'r5']);
    expect(t.published).toHaveLength(54);
  });

  it('refuses v3 trap users without authentication at load, unless allowed explicitly', () => {
    const noAuth = { traps: { users: [{ username: 'anyone' }] } };
    const err = optionsSchema.safeParse(noAuth);
    expect(err.success).toBe(false);
    expect(JSON.stringify(err.error?.issues)).toMatch(/allowNoAuthUsers/);
    expect(optionsSchema.safeParse({ traps: { ...noAuth.traps, allowNoAuthUsers: true } }).success).toBe(
      true,
    );
    const privOnly = { traps: { users: [{ username: 'u', privProtocol: 'aes', privKey: 'private-key' }] } };
    expect(optionsSchema.safeParse(privOnly).success).toBe(false);
  });

  it('a flood of real v2c traps from an unknown source is dropped and counted, and forces no poll', async () => {
    const t = intakeFor({});
    const receiver = await startTrapReceiver({
      port: 0,
      address: '127.0.0.1',
      community: 'flood',
      onTrap: (e) => t.intake.accept(e),
      onDropped: (reason) => t.intake.dropped(reason),
    });
    try {
      const s = snmp.createSession('127.0.0.1', 'flood', {
        version: snmp.Version2c,
        trapPort: receiver.port,
      });
      const send = () =>
        new Promise<void>((resolve, reject) =>
          (s as unknown as { trap: (...a: unknown[]) => void }).trap(
            '1.3.6.1.6.3.1.1.5.3',
            [],
            (e: Error | null) => (e ? reject(e) : resolve()),
          ),
        );
      const N = 300;
      for (let i = 0; i < N; i++) await send();
      s.close();
      // UDP may lose some of a burst on a busy machine: wait until all arrived or arrivals stop.
      let seen = -1;
      while (receiver.stats.received < N && receiver.stats.received !== seen) {
        seen = receiver.stats.received;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(receiver.stats.received).toBeGreaterThan(N / 2);
      expect(t.published).toEqual([]);
      expect(t.polled).toEqual([]);
      // Every trap that arrived was dropped and counted as from an unknown source.
      expect(await t.count('ispmonitor_snmp_traps_dropped_total', 'unknown-source')).toBe(
        receiver.stats.received,
      );
    } finally {
      await receiver.close();
    }
  });
});
