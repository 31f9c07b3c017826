import { Gauge, type Registry } from 'prom-client';

/** What the spool gauges read for one sink when scraped. */
export interface SpoolReading {
  bytes(): number;
  /** Time written of the oldest batch waiting, or undefined when empty. */
  oldestAt(): number | undefined;
}

const perRegistry = new WeakMap<Registry, Map<string, SpoolReading>>();

/**
 * Registers a sink's spool with the monitor's registry: `ispmonitor_sink_spool_bytes` and
 * `ispmonitor_sink_spool_oldest_age_seconds`, labelled by sink. The gauges are created once per
 * registry and read every registered spool at scrape time.
 */
export function registerSpoolMetrics(
  registry: Registry,
  sink: string,
  reading: SpoolReading,
  now: () => number,
): void {
  let spools = perRegistry.get(registry);
  if (!spools) {
    spools = new Map();
    perRegistry.set(registry, spools);
    const all = spools;
    const registers = [registry];
    new Gauge({
      name: 'ispmonitor_sink_spool_bytes',
      help: "Bytes of samples waiting in a sink's on-disk spool (written there while the sink is behind)",
      labelNames: ['sink'],
      registers,
      collect() {
        for (const [name, r] of all) this.set({ sink: name }, r.bytes());
      },
    });
    new Gauge({
      name: 'ispmonitor_sink_spool_oldest_age_seconds',
      help: "Age of the oldest batch waiting in a sink's on-disk spool (0 when empty)",
      labelNames: ['sink'],
      registers,
      collect() {
        for (const [name, r] of all) {
          const at = r.oldestAt();
          this.set({ sink: name }, at === undefined ? 0 : Math.max(0, now() - at) / 1000);
        }
      },
    });
  }
  spools.set(sink, reading);
}
