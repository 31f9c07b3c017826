import { hostname } from 'node:os';
import { durationMsOr } from '@ispmonitor/core';
import { z } from 'zod';

const duration = durationMsOr;

/** Highest bucket count: bucket numbers must stay clear of the reserved lock ids. */
export const MAX_BUCKETS = 65_536;

/** Options of the cluster plugin. Durations are numbers (ms) or strings like `2s`. */
export const optionsSchema = z
  .object({
    /** PostgreSQL URL every replica of the cluster shares (`postgres://user:pass@host:5432/db`). Required. */
    url: z.string().min(1),
    /** This replica's name in the heartbeat table and the API. Default `<hostname>-<pid>`. */
    replica: z
      .string()
      .min(1)
      .max(200)
      .default(() => `${hostname()}-${process.pid}`),
    /** Number of buckets devices hash into. Every replica must use the same number. Default 256. */
    buckets: z.number().int().min(1).max(MAX_BUCKETS).default(256),
    /**
     * First key of every advisory lock the plugin takes (the second is the bucket). Change it only
     * to run two independent clusters in one database. Default 0x4953504d ("ISPM").
     */
    lockClass: z.number().int().min(1).max(2_147_483_647).default(0x4953504d),
    /** Time between heartbeat and rebalance rounds. Default `1s`. */
    heartbeatInterval: duration('1s'),
    /**
     * Ownership lapses when no round succeeded for this long (a hung connection): the replica stops
     * polling even before the socket reports an error. Default `5s`.
     */
    leaseTimeout: duration('5s'),
    /** A heartbeat row older than this is deleted by any replica. Default `15s`. */
    staleAfter: duration('15s'),
    /**
     * A replica holding more than its fair share releases the surplus only after it has been over
     * its share (and another replica under it) for this long, so short blips move nothing. Default `5s`.
     */
    rebalanceDelay: duration('5s'),
    /** First reconnect delay after the connection is lost; doubles up to `maxBackoff`, with jitter. Default `500ms`. */
    minBackoff: duration('500ms'),
    /** Default `10s`. */
    maxBackoff: duration('10s'),
    /** Longest `monitor.start()` waits for the first buckets before polling starts without them. Default `10s`. */
    startTimeout: duration('10s'),
    /** Table of live replicas (created when missing). Default `ispm_cluster_replicas`. */
    table: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
      .default('ispm_cluster_replicas'),
  })
  .strict()
  .refine((o) => o.leaseTimeout > o.heartbeatInterval, {
    message: 'leaseTimeout must be longer than heartbeatInterval',
    path: ['leaseTimeout'],
  })
  .refine((o) => o.staleAfter > o.heartbeatInterval * 2, {
    message: 'staleAfter must be more than twice heartbeatInterval',
    path: ['staleAfter'],
  });

/** Parsed options: every duration in ms. */
export type ClusterOptions = z.output<typeof optionsSchema>;
/** Options as written in config. */
export type ClusterOptionsInput = z.input<typeof optionsSchema>;
