/**
 * One compact way to declare prom-client metrics: a table of specs, one line each, written the
 * way Prometheus prints a series — `counter('ispmonitor_routers_polled_total{result}', 'Polls
 * completed')` — and made into metrics on one registry by {@link registerMetrics}. Core and every
 * plugin with self-metrics declare them this way.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The kinds of metric a table may hold. */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** `S` without its leading and trailing spaces. */
export type TrimSpaces<S extends string> = S extends ` ${infer R}`
  ? TrimSpaces<R>
  : S extends `${infer R} `
    ? TrimSpaces<R>
    : S;
/** The names of a comma-separated label list (`'device, ifName'` → `'device' | 'ifName'`). */
export type SplitLabels<S extends string> = S extends `${infer A},${infer B}`
  ? TrimSpaces<A> | SplitLabels<B>
  : TrimSpaces<S>;

/** The label names of a `name{label,…}` declaration, `never` for a bare name. */
export type LabelsOf<N extends string> = N extends `${string}{${infer L}}` ? SplitLabels<L> : never;

/** One metric of a table: what prom-client needs to make it. Make it with `counter`, `gauge`, `histogram`. */
export interface MetricSpec<K extends MetricKind = MetricKind, L extends string = string> {
  readonly kind: K;
  /** The exported name, e.g. `ispmonitor_poll_queue_length`. */
  readonly name: string;
  /** The `# HELP` text. */
  readonly help: string;
  /** Label names, none for a plain number. */
  readonly labelNames: readonly L[];
  /** Histogram bucket bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /** A gauge read at scrape time (its value lives elsewhere): sets it on `this`. */
  collect?(this: Gauge<L>): void;
}

const DECLARATION =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([a-zA-Z_][a-zA-Z0-9_]*(?:, ?[a-zA-Z_][a-zA-Z0-9_]*)*)\})?$/;

/**
 * The name and label names of a declaration `name` or `name{label,…}`. A declaration is a
 * constant of ours: a malformed one is a bug, refused when the module that declares it loads.
 */
export function parseDeclaration(declaration: string): { name: string; labelNames: string[] } {
  const match = DECLARATION.exec(declaration);
  if (!match) throw new Error(`metric declaration "${declaration}" is not name or name{label,…}`);
  return { name: match[1]!, labelNames: match[2] ? match[2].split(',').map((l) => l.trim()) : [] };
}

function spec<K extends MetricKind, N extends string>(
  kind: K,
  declaration: N,
  help: string,
): MetricSpec<K, LabelsOf<N>> {
  const { name, labelNames } = parseDeclaration(declaration);
  return { kind, name, help, labelNames: labelNames as LabelsOf<N>[] };
}

/** A counter: `counter('name_total{label,…}', help)`. */
export function counter<const N extends string>(
  declaration: N,
  help: string,
): MetricSpec<'counter', LabelsOf<N>> {
  return spec('counter', declaration, help);
}

/** A gauge; with `collect`, one read when Prometheus scrapes. */
export function gauge<const N extends string>(
  declaration: N,
  help: string,
  collect?: (this: Gauge<LabelsOf<N>>) => void,
): MetricSpec<'gauge', LabelsOf<N>> {
  return collect ? { ...spec('gauge', declaration, help), collect } : spec('gauge', declaration, help);
}

/** A histogram with its bucket bounds. */
export function histogram<const N extends string>(
  declaration: N,
  help: string,
  buckets: readonly number[],
): MetricSpec<'histogram', LabelsOf<N>> {
  return { ...spec('histogram', declaration, help), buckets };
}

/** The prom-client metric a spec becomes. */
export type MetricOf<S> =
  S extends MetricSpec<'counter', infer L>
    ? Counter<L>
    : S extends MetricSpec<'gauge', infer L>
      ? Gauge<L>
      : S extends MetricSpec<'histogram', infer L>
        ? Histogram<L>
        : never;

/** A table of metric specs by the name the code uses for each. */
// biome-ignore lint/suspicious/noExplicitAny: any label set; each entry keeps its own in MetricsOf.
export type MetricTable = Readonly<Record<string, MetricSpec<MetricKind, any>>>;

/** The metrics a table becomes, by the same names. */
export type MetricsOf<T extends MetricTable> = { readonly [K in keyof T]: MetricOf<T[K]> };

/**
 * Makes every metric of a table on `registry` (never prom-client's global one), in the table's
 * order, and returns them by the table's names. Gauges that only collect are returned too.
 */
export function registerMetrics<const T extends MetricTable>(registry: Registry, table: T): MetricsOf<T> {
  const registers = [registry];
  const out: Record<string, Counter | Gauge | Histogram> = {};
  for (const [key, spec] of Object.entries(table)) {
    const config = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers };
    if (spec.kind === 'counter') out[key] = new Counter(config);
    else if (spec.kind === 'histogram')
      out[key] = new Histogram({ ...config, buckets: [...(spec.buckets ?? [])] });
    else out[key] = new Gauge(spec.collect ? { ...config, collect: spec.collect } : config);
  }
  return out as MetricsOf<T>;
}
