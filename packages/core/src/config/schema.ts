import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { overloadOptionsSchema } from '../load/options.js';

const duration = z.union([z.number().nonnegative(), z.string()]).superRefine((v, ctx) => {
  try {
    parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const port = z.number().int().min(0).max(65535);

/** The config file, as the server and CLI read it. Every field has a default. */
export const configSchema = z
  .object({
    /** debug, info, warn, error, silent. Env: LOG_LEVEL. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    poller: z
      .object({
        /** Default poll interval. */
        interval: duration.default('60s'),
        /** Polls in flight at once. Env: POLLER_CONCURRENT. */
        concurrency: z.number().int().min(1).max(100_000).default(100),
        /** Per-poll timeout. Env: POLLER_TIMEOUT. */
        timeout: duration.default('10s'),
        retries: z.number().int().min(0).max(10).default(0),
        /** Worker threads that run drivers; 1 = the main thread. Env: POLLER_WORKERS. */
        workers: z.number().int().min(1).max(64).default(1),
        recheckInterval: duration.default('15s'),
        downAfter: duration.default('5m'),
        /** Overload detection and timeout stretching: lag, backlogWait, clearAfter, maxStretch, blockedShare. */
        overload: overloadOptionsSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    sinks: z
      .object({
        bufferLimit: z.number().int().min(1).optional(),
        batchSize: z.number().int().min(1).optional(),
        maxBatchSize: z.number().int().min(1).optional(),
        flushInterval: duration.optional(),
        minBackoff: duration.optional(),
        maxBackoff: duration.optional(),
        /**
         * On-disk spool for samples the buffer has no room for (see `SinkOptions.spool`). The
         * server keeps it in `dir` (default: `spool` beside `database.dataDir`), up to `maxBytes`
         * (default 1 GiB); `false` turns it off (such samples are then dropped and counted).
         */
        spool: z
          .union([
            z.literal(false),
            z
              .object({
                dir: z.string().min(1).optional(),
                maxBytes: z.number().int().min(1_048_576).optional(),
              })
              .strict(),
          ])
          .optional(),
      })
      .strict()
      .prefault({}),
    /** The REST API and web UI listener. `host` 127.0.0.1 by default (env API_HOST): bind wider on purpose. */
    api: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(8080) })
      .strict()
      .prefault({}),
    /** The Prometheus listener. `host` 127.0.0.1 by default (env METRICS_HOST): bind wider on purpose. */
    metrics: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(9090) })
      .strict()
      .prefault({}),
    database: z
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
    cluster: z
      .object({ mode: z.enum(['none', 'postgres']).default('none') })
      .strict()
      .prefault({}),
    /** Devices from the file: read-only through the API. */
    devices: z.array(z.record(z.string(), z.unknown())).default([]),
    /** Options of each plugin, by plugin name. */
    plugins: z.record(z.string(), z.unknown()).default({}),
    /** Settings of the server (auth, licence, UI): validated by the server. */
    server: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The config after defaults, file and environment. */
export type MonitorConfig = z.output<typeof configSchema>;
