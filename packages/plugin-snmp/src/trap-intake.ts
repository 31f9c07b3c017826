/**
 * What happens to a received trap before the bus sees it: only traps from a known device's
 * address pass (a trap's own `agentAddr` is the sender's word, not evidence), and a state trap
 * forces at most one early poll per device per `pollDebounceMs`, so a flood cannot turn into a
 * poll storm. Every drop is counted by reason.
 */
import type { Clock, TrapEvent } from '@ispmonitor/core';
import { Counter, type Registry } from 'prom-client';

/** Traps after which a device's status and interfaces are re-read at once. */
const STATE_TRAPS = new Set(['linkDown', 'linkUp', 'coldStart', 'warmStart']);

/** Why a datagram or trap was not published. */
export type TrapDropReason = 'unknown-source' | 'unauthorised' | 'malformed';

export interface TrapIntakeOptions {
  /** Publish traps from addresses that are no device's `host` (with no `device` set). */
  acceptUnknownSources: boolean;
  /** Least time between two trap-forced polls of one device, ms. */
  pollDebounceMs: number;
  /** The device polled at a state trap's source address, if any. */
  deviceAt(address: string): string | undefined;
  publish(event: TrapEvent): void;
  pollNow(deviceId: string): void;
  clock: Clock;
  metrics: Registry;
}

/** The intake: `accept` for each decoded trap, `dropped` for datagrams the receiver refused. */
export interface TrapIntake {
  accept(event: TrapEvent): void;
  dropped(reason: TrapDropReason): void;
}

export function createTrapIntake(options: TrapIntakeOptions): TrapIntake {
  const received = new Counter({
    name: 'ispmonitor_snmp_traps_received_total',
    help: 'SNMP traps published on the bus',
    registers: [options.metrics],
  });
  const dropped = new Counter({
    name: 'ispmonitor_snmp_traps_dropped_total',
    help: 'SNMP traps and datagrams dropped, by reason (unknown-source, unauthorised, malformed)',
    labelNames: ['reason'],
    registers: [options.metrics],
  });
  const lastForced = new Map<string, number>();
  return {
    accept(event) {
      const device = options.deviceAt(event.source);
      if (!device && !options.acceptUnknownSources) {
        dropped.inc({ reason: 'unknown-source' });
        return;
      }
      const out: TrapEvent = { ...event };
      if (device) out.device = device;
      else delete out.device;
      received.inc();
      options.publish(out);
      if (!device || !out.kind || !STATE_TRAPS.has(out.kind)) return;
      const now = options.clock.now();
      const last = lastForced.get(device);
      if (last !== undefined && now - last < options.pollDebounceMs) return;
      lastForced.set(device, now);
      // Forget entries long past the window, so the map holds only recently trapping devices.
      if (lastForced.size > 10_000) {
        for (const [id, t] of lastForced) if (now - t >= options.pollDebounceMs) lastForced.delete(id);
      }
      options.pollNow(device);
    },
    dropped(reason) {
      dropped.inc({ reason });
    },
  };
}
