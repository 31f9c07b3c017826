import type { LoadConfigOptions, loadConfig } from '@ispmonitor/core';
import { z } from 'zod';

/** A section of the config file, as core's loader takes it (`loadConfig(path, { sections })`). */
type Section = NonNullable<LoadConfigOptions['sections']>[number];

const port = z.number().int().min(0).max(65535);

/**
 * The server's own sections of the config file, besides core's (`logLevel`, `poller`, `sinks`,
 * `devices`, `plugins`): its listeners, its database, the cluster mode and `server`. Core's loader
 * checks them with the file's line numbers and applies their environment overrides.
 */
export const serverSections = [
  {
    key: 'api',
    /** The REST API and web UI listener. `host` 127.0.0.1 by default (env API_HOST): bind wider on purpose. */
    schema: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(8080) })
      .strict()
      .prefault({}),
    env: [
      { env: 'API_HOST', path: ['host'], type: 'string' },
      { env: 'API_PORT', path: ['port'], type: 'int' },
    ],
  },
  {
    key: 'metrics',
    /** The Prometheus listener. `host` 127.0.0.1 by default (env METRICS_HOST): bind wider on purpose. */
    schema: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(9090) })
      .strict()
      .prefault({}),
    env: [
      { env: 'METRICS_HOST', path: ['host'], type: 'string' },
      { env: 'METRICS_PORT', path: ['port'], type: 'int' },
    ],
  },
  {
    key: 'database',
    schema: z
      .object({
        /** PostgreSQL URL. Env: DATABASE_URL. Absent: embedded PGlite in `dataDir`. */
        url: z.string().optional(),
        /**
         * A streaming replica's URL: the server's read-only queries go there, writes stay on `url`.
         * Env: DATABASE_READ_URL. Needs `url` (PGlite has no replicas).
         */
        readUrl: z.string().optional(),
        dataDir: z.string().default('./.data/pglite'),
      })
      .strict()
      .prefault({}),
    env: [
      { env: 'DATABASE_URL', path: ['url'], type: 'string' },
      { env: 'DATABASE_READ_URL', path: ['readUrl'], type: 'string' },
    ],
  },
  {
    key: 'cluster',
    /** `postgres`: poller replicas share the devices through the database. Env: CLUSTER. */
    schema: z
      .object({ mode: z.enum(['none', 'postgres']).default('none') })
      .strict()
      .prefault({}),
    env: [{ env: 'CLUSTER', path: ['mode'], type: 'string' }],
  },
  {
    key: 'server',
    /**
     * Settings of the server (auth, licence, UI, …): checked by `parseServerConfig`, which also
     * applies their environment overrides (ISPM_ROLE, ISPM_ADMIN_PASSWORD, …).
     */
    schema: z.record(z.string(), z.unknown()).default({}),
  },
] as const satisfies readonly Section[];

/** The config file as the server reads it: core's sections and the server's. */
export type ServerFileConfig = Awaited<ReturnType<typeof loadConfig<typeof serverSections>>>['config'];
