import { Counter, Gauge, type Registry } from 'prom-client';

/** What the load metrics read when scraped. */
export interface LoadReadings {
  overloaded(): boolean;
  /** Largest probe lag in the recent window, ms. */
  lagMs(): number;
  /** Total blocked time seen, ms. */
  blockedTotalMs(): number;
  /** Time the event loop's thread waited for a CPU since it started, s; absent where unknown. */
  cpuWaitSeconds?: () => number;
}

/**
 * The monitor's metrics about itself being the problem: lag, blocked time, the overloaded state,
 * skipped polls and stretched timeouts. On the monitor's own registry.
 */
export class LoadMetrics {
  readonly skipped: Counter<'reason'>;
  readonly extended: Counter;

  constructor(registry: Registry, read: LoadReadings) {
    const registers = [registry];
    new Gauge({
      name: 'ispmonitor_poller_overloaded',
      help: 'Whether the monitor counts itself overloaded (event-loop lag, poll backlog or slots dropped behind queued polls above its threshold): 1 or 0',
      registers,
      collect() {
        this.set(read.overloaded() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ispmonitor_event_loop_lag_seconds',
      help: "Largest event-loop lag the monitor's probe saw in the last 10 s",
      registers,
      collect() {
        this.set(read.lagMs() / 1000);
      },
    });
    new Counter({
      name: 'ispmonitor_event_loop_blocked_seconds_total',
      help: "Time the monitor's event loop was blocked (timer lateness beyond 10 ms); its rate is the share of time blocked",
      registers,
      collect() {
        this.reset();
        this.inc(read.blockedTotalMs() / 1000);
      },
    });
    const cpuWait = read.cpuWaitSeconds;
    if (cpuWait) {
      new Counter({
        name: 'ispmonitor_event_loop_cpu_wait_seconds_total',
        help: "Time the monitor's event-loop thread was ready to run but waited for a CPU (Linux schedstat); its rate near 1 means lag from a host short of CPU, not from the monitor's own work",
        registers,
        collect() {
          this.reset();
          this.inc(cpuWait());
        },
      });
    }
    this.skipped = new Counter({
      name: 'ispmonitor_polls_skipped_total',
      help: 'Polls recorded as skipped instead of as a device result, by reason (overloaded: the event loop was blocked during the poll)',
      labelNames: ['reason'],
      registers,
    });
    // The series exists from the start, so `increase()` sees the first skip.
    this.skipped.inc({ reason: 'overloaded' }, 0);
    this.extended = new Counter({
      name: 'ispmonitor_poll_timeout_extensions_total',
      help: 'Times a poll timeout was pushed back because the event loop had been blocked during the poll',
      registers,
    });
  }
}
