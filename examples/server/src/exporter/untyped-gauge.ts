import { Gauge } from 'prom-client';

/**
 * The server's copy of core's UntypedGauge (core does not export it). A gauge exposed with
 * `# TYPE … untyped`, only for a name the operations guide fixed before Prometheus's conventions
 * were checked: `ispmonitor_routers_total` goes up and down (a gauge),
 * but a gauge may not end in `_total` (`promtool check metrics` rejects it), while an untyped
 * metric may. Dashboards and alert rules written against the name keep working; Prometheus treats
 * untyped samples as gauges.
 */
export class UntypedGauge<T extends string = string> extends Gauge<T> {
  override async get(): ReturnType<Gauge<T>['get']> {
    const metric = await super.get();
    // prom-client's MetricType has no `untyped`; the registry prints the string as given.
    return { ...metric, type: 'untyped' as unknown as typeof metric.type };
  }
}
