import { durationMsOr } from '@ispmonitor/core';
import { z } from 'zod';

/** Request headers the plugin sets itself: a target's `headers` may not replace them. */
export const RESERVED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-length',
  'user-agent',
  'x-prometheus-remote-write-version',
  'authorization',
  'host',
] as const;

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');

/** An http: or https: URL (a receiver or a query API). */
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'http: or https:');

/** HTTP basic auth, or a bearer token (of a receiver or a query API). */
const authSchema = z
  .union([
    z.object({ username: z.string().min(1), password: z.string() }).strict(),
    z.object({ bearer: z.string().min(1) }).strict(),
  ])
  .optional();

/** One receiver of remote write. */
export const targetSchema = z
  .object({
    /** Remote-write endpoint, e.g. `http://victoria:8428/api/v1/write`. Credentials do not belong here: use `auth`. */
    url: httpUrl.refine(
      (u) => new URL(u).username === '' && new URL(u).password === '',
      'no credentials in the URL: use auth',
    ),
    /** Name of the target in metrics and logs (`target` label). Default: the URL's host and port. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits, `_.:-`')
      .optional(),
    /** Extra request headers, e.g. `{ "X-Scope-OrgID": "isp-a" }` for a Mimir or Cortex tenant. */
    headers: z
      .record(headerName, z.string())
      .default({})
      .refine(
        (h) =>
          Object.keys(h).every((k) => !(RESERVED_HEADERS as readonly string[]).includes(k.toLowerCase())),
        `may not set ${RESERVED_HEADERS.join(', ')} (use auth for Authorization)`,
      ),
    /** HTTP basic auth, or a bearer token. Never logged. */
    auth: authSchema,
    /** PEM of the CA(s) that sign the receiver's certificate (https only); default Node's bundled CAs. */
    ca: z.string().optional(),
    /** Per-request timeout. Default `30s`. */
    timeout: durationMsOr('30s'),
  })
  .strict();

/** Options of the remote-write plugin. Durations are numbers (ms) or strings like `5s`. */
export const optionsSchema = z
  .object({
    /** Where samples go: one or more receivers, each written independently. */
    targets: z.array(targetSchema).min(1),
    /**
     * Parallel senders per target. A series always goes to the same shard, so its samples reach
     * the receiver in order. Default 4.
     */
    shards: z.number().int().min(1).max(64).default(4),
    /** Most samples in one request. Default 2,000 (Prometheus' own default). */
    maxSamplesPerSend: z.number().int().min(1).max(100_000).default(2_000),
    /** First retry delay after a 5xx, 429 or network error; doubles up to `maxBackoff`. Default `30ms`. */
    minBackoff: durationMsOr('30ms'),
    /** Longest retry delay of our own. Default `5s`. */
    maxBackoff: durationMsOr('5s'),
    /** Longest `Retry-After` honoured: a larger value is cut to this. Default `5m`. */
    maxRetryAfter: durationMsOr('5m'),
    /** Labels added to every series that does not carry them already (like Prometheus' `external_labels`). */
    externalLabels: z.record(z.string(), z.string()).default({}),
    /**
     * Also answer the monitor's sample reads (`tokens.SampleQuery`: charts, latest values) from a
     * Prometheus-compatible query API, e.g. `{ url: 'http://victoria:8428' }`. Put this plugin after
     * the storage plugin: the last provider of a token is the one read. Absent: reads stay with storage.
     */
    query: z
      .object({
        /** Base URL of the query API (`/api/v1/query` is appended): `http://prometheus:9090`, `http://mimir/prometheus`. */
        url: httpUrl,
        /** Extra request headers, e.g. `X-Scope-OrgID`. */
        headers: z.record(headerName, z.string()).default({}),
        /** HTTP basic auth, or a bearer token. Never logged. */
        auth: authSchema,
        /** PEM of the CA(s) that sign the query API's certificate. */
        ca: z.string().optional(),
        /** Per-query timeout. Default `30s`. */
        timeout: durationMsOr('30s'),
        /** The longest poll interval: rates reach back this much further. Default `60s`. */
        pollInterval: durationMsOr('60s'),
      })
      .strict()
      .optional(),
    /**
     * What happens while a receiver is down. The monitor's sink buffer and on-disk spool hold the
     * samples (the server's `sinks.spool`, one folder per target); samples older than `maxAge`
     * when they are finally sent are dropped and counted (`reason="too_old"`), since receivers
     * refuse them anyway. Default `2h`.
     */
    spool: z
      .object({
        /** Oldest a sample may be when it is sent; older ones are dropped and counted. Default `2h`. */
        maxAge: durationMsOr('2h'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((o) => o.maxBackoff >= o.minBackoff, {
    message: 'maxBackoff must be at least minBackoff',
    path: ['maxBackoff'],
  });

/** Options as given to `remoteWrite()`. */
export type RemoteWriteOptionsInput = z.input<typeof optionsSchema>;
/** Options after validation and defaults (durations in ms). */
export type RemoteWriteOptions = z.output<typeof optionsSchema>;
/** One target after validation. */
export type RemoteWriteTarget = z.output<typeof targetSchema>;

/** A target's name: its own, else host and port of its URL. */
export function targetName(t: RemoteWriteTarget): string {
  if (t.name) return t.name;
  const u = new URL(t.url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
}
