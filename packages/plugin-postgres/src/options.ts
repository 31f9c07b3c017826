import { durationMsOr } from '@ispmonitor/core';
import { z } from 'zod';

const duration = durationMsOr;

/** Options of the postgres plugin. Durations are numbers (ms) or strings like `7d`. */
export const optionsSchema = z
  .object({
    /** PostgreSQL URL (`postgres://user:pass@host:5432/db`). Absent: an embedded PGlite. */
    url: z.string().min(1).optional(),
    /**
     * A streaming replica of `url` (`pg_basebackup -R`): the server's read-only queries go there,
     * writes, locks and maintenance stay on `url`; reads fall back to `url` while it is unreachable.
     * Needs `url`: PGlite has no replicas.
     */
    readUrl: z.string().min(1).optional(),
    /** The read replica of `readUrl`: how often it is checked and how far behind it may be. */
    replica: z
      .object({
        /** Time between checks of the replica (replay lag, reachable, still a standby). Default `2s`. */
        checkInterval: duration('2s'),
        /** Further behind than this, reads go to the primary until it catches up. Default `30s`. */
        maxLag: duration('30s'),
      })
      .prefault({}),
    /** PGlite data folder when `url` is absent. Default `./.data/pglite`. */
    dataDir: z.string().min(1).default('./.data/pglite'),
    /** PGlite in memory (nothing survives a restart): for tests and demos. Default false. */
    memory: z.boolean().default(false),
    pool: z
      .object({
        /** Connections in the pool. Default 10. */
        max: z.number().int().min(1).max(1000).default(10),
        /** Wait for a connection before failing. Default `5s`. */
        connectTimeout: duration('5s'),
        /** Per-statement timeout. Default `60s`. */
        statementTimeout: duration('60s'),
      })
      .prefault({}),
    /** How long each table keeps data; raw samples and rollups by whole daily (monthly) partitions. */
    retention: z
      .object({
        /** Raw samples. Default `7d`. */
        raw: duration('7d'),
        /** 5-minute rollups. Default `90d`. */
        rollup5m: duration('90d'),
        /** Hourly rollups. Default `730d`. */
        rollup1h: duration('730d'),
        /** Device status transitions. Default `400d`. */
        statusHistory: duration('400d'),
        /** Ended interfaces and neighbours. Default `180d`. (Subscriber history: `subscribers.retention`.) */
        inventoryHistory: duration('180d'),
      })
      .prefault({}),
    rollups: z
      .object({
        /** Compute 5-minute and hourly rollups. Default true. */
        enabled: z.boolean().default(true),
        /** Late samples up to this old are counted: their buckets are recomputed by the next round. Default `30m`. */
        lateness: duration('30m'),
      })
      .prefault({}),
    /**
     * Compressed chunks: samples older than the hot window move from rows into one compressed row
     * per series per 2-hour window (delta-of-delta times, XOR doubles, zig-zag integer deltas),
     * a few bytes per sample instead of ~100, a day's chunks merged into one, the times of a
     * device's series stored once. Rollups are computed from the chunks when read and written a day
     * before the samples expire. Reads see one layout.
     */
    chunks: z
      .object({
        /** Compact closed windows into chunks. Default true. */
        enabled: z.boolean().default(true),
        /** Samples younger than this stay rows (fast ingest, late rows). Default `2h`. */
        hot: duration('2h'),
      })
      .prefault({}),
    maintenance: z
      .object({
        /** Time between maintenance rounds (partitions, rollups, retention). Default `1m`. */
        interval: duration('1m'),
        /**
         * Days of sample partitions created ahead (a day is divided into its 2-hour windows only
         * within 6 h of its start). With chunks on, rollup partitions are not created ahead: the
         * round that writes rollups creates its own. Default 2.
         */
        partitionsAhead: z.number().int().min(1).max(60).default(2),
        /**
         * Per-statement timeout of rollup statements, in place of `pool.statementTimeout`: one reads
         * up to two hours of raw samples and takes minutes at fleet scale (a 5-minute bucket of
         * 10,000 routers took 35–64 s on two cores). Default `1h`.
         */
        statementTimeout: duration('1h'),
      })
      .prefault({}),
    ingest: z
      .object({
        /** Rows per COPY statement; larger batches from core are split. Default 20,000. */
        chunkSize: z.number().int().min(100).max(1_000_000).default(20_000),
        /**
         * COPY statements in flight for one batch on PostgreSQL (capped by `pool.max`). Default 1:
         * 2 showed no clear gain in our (noisy, 2-core) measurements.
         */
        parallel: z.number().int().min(1).max(64).default(1),
        /**
         * Series ids kept in memory: keep it above the fleet's series count (a 24-port router has
         * about 260), or ids are looked up again and again. Default 5,000,000.
         */
        seriesCache: z.number().int().min(1000).default(5_000_000),
        /** Samples further ahead than this are rejected (a device clock gone wrong). Default `1d`. */
        maxFuture: duration('1d'),
      })
      .prefault({}),
    /** How inventory facts from polls are written. */
    facts: z
      .object({
        /**
         * Inventory facts (interfaces, neighbours) are written when they change;
         * unchanged ones are rewritten this often, which moves their `last_seen` (a device's first
         * refresh comes sooner, by a share fixed by its id, so a fleet's refreshes are spread).
         * Default `5m`.
         */
        refresh: duration('5m'),
      })
      .prefault({}),
    /** Subscriber history: PPPoE sessions, DHCP leases, wireless registrations, ARP bindings. */
    subscribers: z
      .object({
        /** Record subscriber history from the `facts` of polls. Default true. */
        enabled: z.boolean().default(true),
        /** How long ended rows are kept (dropped by whole weeks, so up to a week longer). Default `90d`. */
        retention: duration('90d'),
        /**
         * A session that starts at most this long after the same user's previous session ended
         * (on any router) is flagged as a reconnect and counted. Default `5m`.
         */
        reconnectWindow: duration('5m'),
        /**
         * Bytes, peak rates, signal, lease expiry and last seen of active rows are written this
         * often per router (and when the row ends), not at every poll. Default `15m`.
         */
        checkpoint: duration('15m'),
        /** Queued changes are written this often, for all routers at once. Default `2s`. */
        flushInterval: duration('2s'),
        /** Changes kept while the database is unreachable; beyond it new ones are dropped and counted. Default 1,000,000. */
        maxPending: z.number().int().min(1000).max(50_000_000).default(1_000_000),
      })
      .prefault({}),
    /**
     * `wait` (default): start fails if the database cannot be reached within `startTimeout`.
     * `background`: the monitor starts anyway; writes fail (core buffers and retries them) and
     * the health check fails until the database is reached.
     */
    startup: z.enum(['wait', 'background']).default('wait'),
    /** Default `30s`. */
    startTimeout: duration('30s'),
  })
  .strict();

/** Parsed options: every duration in ms. */
export type PostgresOptions = z.output<typeof optionsSchema>;
/** Options as written in config. */
export type PostgresOptionsInput = z.input<typeof optionsSchema>;
