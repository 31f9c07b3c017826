import { type ConfigSection, type CoreConfig, configSection, type SectionsConfig } from '@ispmonitor/core';
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

/** A listener: `host` 127.0.0.1 by default (bind wider on purpose), and its port. */
const listener = (defaultPort: number) =>
  z
    .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(defaultPort) })
    .strict()
    .prefault({});

/**
 * The server's own sections of the config file, besides core's (`logLevel`, `poller`, `sinks`,
 * `devices`, `plugins`): its listeners, its database, the cluster mode and `server`. Core's loader
 * checks them with the file's line numbers and applies their environment overrides.
 */
export const serverSections = [
  /** The REST API and web UI listener. Env: API_HOST, API_PORT. */
  configSection('api', listener(8080), [
    { env: 'API_HOST', path: ['host'], type: 'string' },
    { env: 'API_PORT', path: ['port'], type: 'int' },
  ]),
  /** The Prometheus listener. Env: METRICS_HOST, METRICS_PORT. */
  configSection('metrics', listener(9090), [
    { env: 'METRICS_HOST', path: ['host'], type: 'string' },
    { env: 'METRICS_PORT', path: ['port'], type: 'int' },
  ]),
  configSection(
    'database',
    z
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
    [
      { env: 'DATABASE_URL', path: ['url'], type: 'string' },
      { env: 'DATABASE_READ_URL', path: ['readUrl'], type: 'string' },
    ],
  ),
  /** `postgres`: poller replicas share the devices through the database. Env: CLUSTER. */
  configSection(
    'cluster',
    z
      .object({ mode: z.enum(['none', 'postgres']).default('none') })
      .strict()
      .prefault({}),
    [{ env: 'CLUSTER', path: ['mode'], type: 'string' }],
  ),
  /**
   * Settings of the server (auth, licence, UI, …): checked by `parseServerConfig`, which also
   * applies their environment overrides (ISPM_ROLE, ISPM_ADMIN_PASSWORD, …).
   */
  configSection('server', z.record(z.string(), z.unknown()).default({})),
] as const satisfies readonly ConfigSection[];

/** The config file as the server reads it: core's sections and the server's. */
export type ServerFileConfig = CoreConfig & SectionsConfig<typeof serverSections>;
