/** The plugin's self-metrics, on the monitor's own registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics the alerts plugin keeps. */
export interface AlertMetrics {
  notifications: Counter<'integration'>;
  failed: Counter<'integration'>;
  duration: Histogram<'integration'>;
}

/** Registers the metrics; `activeBySeverity` is read at scrape time. */
export function createMetrics(
  registry: Registry,
  activeBySeverity: () => Record<string, number>,
): AlertMetrics {
  new Gauge({
    name: 'ispmonitor_alerts_active',
    help: 'Alerts firing now, by severity',
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [severity, n] of Object.entries(activeBySeverity())) this.set({ severity }, n);
    },
  });
  return {
    notifications: new Counter({
      name: 'ispmonitor_notifications_total',
      help: 'Notifications delivered, by integration',
      labelNames: ['integration'],
      registers: [registry],
    }),
    failed: new Counter({
      name: 'ispmonitor_notifications_failed_total',
      help: 'Failed notification attempts, by integration',
      labelNames: ['integration'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'ispmonitor_notification_duration_seconds',
      help: 'Time one notification attempt took',
      labelNames: ['integration'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
