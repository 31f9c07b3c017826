import { Counter, Gauge, type Registry } from 'prom-client';

/** Self-metrics of the subscriber recorder. */
export interface RecorderMetrics {
  skipped: Counter<'kind' | 'reason'>;
  dropped: Counter<'kind' | 'change'>;
  flushes: Counter<'result'>;
  reconnects: Counter<'router'>;
}

/** Creates them in the monitor's registry; `pending` is read at scrape time. */
export function createRecorderMetrics(registry: Registry, pending: () => number): RecorderMetrics {
  const registers = [registry];
  new Gauge({
    name: 'ispmonitor_db_subscriber_changes_pending',
    help: 'Subscriber history changes (new, ended, updated rows) waiting to be written',
    registers,
    collect() {
      this.set(pending());
    },
  });
  return {
    skipped: new Counter({
      name: 'ispmonitor_db_subscriber_rows_skipped_total',
      help: 'Session, lease, wireless and ARP rows from routers not stored (invalid, incomplete, duplicate, too many)',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'ispmonitor_db_subscriber_changes_dropped_total',
      help: 'Subscriber history changes dropped because the pending queue was full or could never be written',
      labelNames: ['kind', 'change'],
      registers,
    }),
    flushes: new Counter({
      name: 'ispmonitor_db_subscriber_flushes_total',
      help: 'Writes of batched subscriber history changes, by result (ok, error)',
      labelNames: ['result'],
      registers,
    }),
    reconnects: new Counter({
      name: 'ispmonitor_subscriber_reconnects_total',
      help: "Subscriber sessions that started within the reconnect window after the same user's previous one ended",
      labelNames: ['router'],
      registers,
    }),
  };
}
