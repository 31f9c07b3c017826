/** The plugin's self-metrics, on the monitor's own registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics the alerts plugin keeps. */
export interface AlertMetrics {
  notifications: Counter<'integration'>;
  failed: Counter<'integration'>;
  duration: Histogram<'integration'>;
}

/** Severities `ispmonitor_alerts_active` always shows, at 0 while none fires. */
export const BASE_SEVERITIES = ['critical', 'warning', 'info'] as const;

/**
 * Registers the metrics; `activeBySeverity` is read at scrape time. `ispmonitor_alerts_active`
 * has a series for each base severity and each severity a rule gives, from the first scrape on
 * (at 0 while nothing fires): a dashboard then shows 0, not "no data".
 */
export function createMetrics(
  registry: Registry,
  rules: ReadonlyArray<{ severity: string }>,
  activeBySeverity: () => Record<string, number>,
): AlertMetrics {
  const severities = [...new Set<string>([...BASE_SEVERITIES, ...rules.map((r) => r.severity)])];
  new Gauge({
    name: 'ispmonitor_alerts_active',
    help: 'Alerts firing now, by severity',
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const severity of severities) this.set({ severity }, 0);
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
