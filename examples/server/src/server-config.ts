import { addressPolicy, ErrorCodes, type Locate, MonitorError } from '@ispmonitor/core';
import { z } from 'zod';
import { SAMPLES_ENV, storageConfigSchema } from './samples/config.js';

/** What a server process does: everything, the API only, or polling only. */
export const SERVER_ROLES = ['all', 'api', 'poller'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** A whole number from `min` to `max`, `fallback` when absent: the section's counts and limits. */
const count = (min: number, max: number, fallback: number) =>
  z.number().int().min(min).max(max).default(fallback);

/**
 * The server's own config section (`server:` in the YAML file). Everything has a default, so an
 * empty section is valid; errors name the path under `server`.
 */
export const serverConfigSchema = z
  .object({
    auth: z
      .object({
        /**
         * Password of the `admin` user created at the first start (no user stored yet); ignored
         * afterwards. Env: ISPM_ADMIN_PASSWORD. Absent: generated into `initialPasswordFile`.
         */
        adminPassword: z.string().min(8).optional(),
        /** Where a generated first-start admin password is written (mode 0600), never to logs. */
        initialPasswordFile: z.string().min(1).default('./.data/initial-admin-password'),
        /** An API key with the admin role created at the first start (for automation). Env: ISPM_ADMIN_API_KEY. */
        adminApiKey: z.string().min(32).optional(),
        /** How long a web UI login lasts. */
        sessionTtlHours: z
          .number()
          .positive()
          .max(24 * 30)
          .default(12),
        /**
         * Mark the session cookie `Secure`. Absent: when the request came over HTTPS, directly or
         * through a proxy `trustProxy` trusts (its `X-Forwarded-Proto: https`).
         */
        secureCookies: z.boolean().optional(),
        /** Login attempts per client address per minute, counted across API replicas. */
        loginAttemptsPerMinute: count(1, 1000, 10),
        /**
         * Wrong passwords in a row for one user name before it is locked: 1 minute, doubling per
         * further failure up to 15; a right password clears it. Counted across API replicas.
         */
        loginFailuresBeforeLock: count(1, 100, 5),
      })
      .strict()
      .prefault({}),
    license: z
      .object({
        /** Path of the signed licence file. Env: ISPM_LICENSE_FILE. Absent: community mode. */
        path: z.string().optional(),
        /** Ed25519 public key (PEM, or a path to a PEM file) the licence is verified with. Env: ISPM_LICENSE_PUBLIC_KEY. */
        publicKey: z.string().optional(),
        /** How often the licence file is re-read. */
        checkIntervalMinutes: z.number().positive().default(60),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /**
         * When set, `/metrics`, `/metrics/devices` and `/sd/devices` want `Authorization: Bearer <token>`.
         * Env: ISPM_METRICS_TOKEN. Required when `metrics.host` is not a loopback address, unless `anonymous`.
         */
        token: z.string().min(16).optional(),
        /**
         * Serve the metrics port without a token on a non-loopback address (e.g. a network only
         * Prometheus reaches). Logged as a warning at every start.
         */
        anonymous: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    devices: z
      .object({
        /**
         * Which addresses `device.host` may name, for config and API devices alike. Link-local
         * (169.254.0.0/16, fe80::/10) and cloud metadata addresses are always in `deny`; `allow`
         * opens exceptions (the more specific rule wins), e.g. `allow: [169.254.0.0/16]` for
         * routers managed over link-local addresses. Lists of CIDRs or addresses.
         */
        addressPolicy: z
          .object({
            deny: z.array(z.string().min(1)).default([]),
            allow: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .superRefine((p, ctx) => {
            try {
              addressPolicy(p);
            } catch (err) {
              ctx.addIssue({
                code: 'custom',
                message: (err as Error).message.replace(/^addressPolicy\./, ''),
              });
            }
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Open `/api/v1/events` streams per user or API key (a browser tab holds one); past it: 429. */
        eventStreamsPerUser: count(1, 1000, 10),
        /** Open event streams in all, per API process; past it: 429. */
        eventStreams: count(1, 100_000, 1000),
        /**
         * Routers one `/api/v1/metrics/sparklines` request may name (two range queries each);
         * more: 400. Enough for the rows a tall screen shows.
         */
        sparklineRouters: count(1, 500, 60),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Entries kept; the oldest go first. */
        maxRows: count(100, 10_000_000, 50_000),
        /** Days an entry is kept. */
        maxAgeDays: z.number().positive().max(3650).default(365),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        /** Folder of the built web UI to serve at `/`. */
        dir: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /**
     * What this process does. `all`: poll and serve everything (one process, the default). `api`:
     * serve the API, web UI and metrics from the shared PostgreSQL and poll nothing. `poller`:
     * poll; port 8080 serves only /health, /ready and /live. Env: ISPM_ROLE.
     */
    role: z.enum(SERVER_ROLES).default('all'),
    /**
     * Seconds between two reads of the shared database for devices other replicas added,
     * changed or removed (and, on an `api` replica, the statuses the pollers recorded). Only with
     * `database.url`: an embedded PGlite is never shared.
     */
    syncIntervalSeconds: z.number().positive().max(3600).default(10),
    /**
     * Which proxies in front of the API to believe about the client (`X-Forwarded-For`,
     * `X-Forwarded-Proto`): `false` (none, the default: the client address is the TCP peer),
     * `true` (any: only when nothing else reaches the port), a number of hops, or a
     * comma-separated list of addresses/CIDRs (e.g. `127.0.0.1,10.0.0.0/8`). Login throttling and
     * the audit log use the address it yields.
     */
    trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10), z.string().min(1)]).default(false),
    /** Largest request body accepted, in bytes. */
    bodyLimit: z
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    /** Seconds a graceful shutdown may take before the process exits anyway. */
    shutdownTimeoutSeconds: z.number().positive().max(300).default(10),
    /**
     * Admin-only endpoints that take a CPU profile, a sampling heap profile or a heap snapshot of
     * the main thread or a poller worker (`/api/v1/debug/…`, docs/operations.md "Profiling").
     * Off: the endpoints do not exist (404). Env: ENABLE_PROFILING=true.
     */
    profiling: z.boolean().default(false),
    /** Where charts read samples from: `postgres`, or `prometheus` through remote write (samples/config.ts). */
    storage: storageConfigSchema,
  })
  .strict();

/** The validated `server` section. */
export type ServerConfig = z.output<typeof serverConfigSchema>;

/** Environment variables the server reads besides those core's config loader reads. */
export const SERVER_ENV = [
  'ISPM_ADMIN_PASSWORD',
  'ISPM_ADMIN_API_KEY',
  'ISPM_LICENSE_FILE',
  'ISPM_LICENSE_PUBLIC_KEY',
  'ISPM_METRICS_TOKEN',
  'ISPM_ROLE',
  'ENABLE_PROFILING',
  ...SAMPLES_ENV,
];

/**
 * Every environment variable the server and its CLI read: the config sections' overrides (core's
 * and those of config-sections.ts), the server's own, and the CLI's.
 * Deployment files may set only these (and NODE_ENV); a test checks it.
 */
export const KNOWN_ENV = [
  'DATABASE_URL',
  'POLLER_WORKERS',
  'POLLER_CONCURRENT',
  'POLLER_TIMEOUT',
  'LOG_LEVEL',
  'API_HOST',
  'API_PORT',
  'METRICS_HOST',
  'METRICS_PORT',
  'CLUSTER',
  'DATABASE_READ_URL',
  ...SERVER_ENV,
  'ISPM_PLUGINS',
  'ISPM_CONFIG',
  'ISPM_API_KEY',
];

/**
 * Validates `config.server` and applies the server's environment overrides. Throws a
 * MonitorError (ISPM_CONFIG_INVALID) whose message names each bad path.
 */
export function parseServerConfig(
  section: unknown,
  env: Record<string, string | undefined> = process.env,
  source = 'config',
  locate?: Locate,
): ServerConfig {
  const raw = structuredClone((section ?? {}) as Record<string, Record<string, unknown>>);
  const set = (group: string, key: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    raw[group] = { ...(raw[group] ?? {}), [key]: value };
  };
  set('auth', 'adminPassword', env.ISPM_ADMIN_PASSWORD);
  set('auth', 'adminApiKey', env.ISPM_ADMIN_API_KEY);
  set('license', 'path', env.ISPM_LICENSE_FILE);
  set('license', 'publicKey', env.ISPM_LICENSE_PUBLIC_KEY);
  set('metrics', 'token', env.ISPM_METRICS_TOKEN);
  if (env.ENABLE_PROFILING !== undefined && env.ENABLE_PROFILING !== '') {
    const on = /^(true|1|yes)$/i.test(env.ENABLE_PROFILING);
    if (!on && !/^(false|0|no)$/i.test(env.ENABLE_PROFILING)) {
      throw new MonitorError(
        ErrorCodes.CONFIG_INVALID,
        `ENABLE_PROFILING: "${env.ENABLE_PROFILING}" is not a boolean; expected true or false`,
      );
    }
    raw.profiling = on as never;
  }
  if (env.ISPM_ROLE) {
    if (!(SERVER_ROLES as readonly string[]).includes(env.ISPM_ROLE)) {
      throw new MonitorError(
        ErrorCodes.CONFIG_INVALID,
        `ISPM_ROLE: "${env.ISPM_ROLE}" is not a role; expected one of ${SERVER_ROLES.join(', ')}`,
      );
    }
    raw.role = env.ISPM_ROLE as never;
  }
  const parsed = serverConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // With `locate` (the loader's), each problem names its line in the file.
  const problems = parsed.error.issues.map(
    (i) =>
      `${locate ? locate(['server', ...i.path]) : source}: server.${i.path.map(String).join('.') || '(section)'}: ${i.message}`,
  );
  throw new MonitorError(ErrorCodes.CONFIG_INVALID, problems.join('\n'));
}
