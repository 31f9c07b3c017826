import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { overloadOptionsSchema } from '../load/options.js';
import { type ConfigSection, configSection, type SectionsConfig } from './section.js';

/** A duration in the config: milliseconds as a number, or text such as `60s`, `5m`, `1h30m`. */
export const durationSchema = z.union([z.number().nonnegative(), z.string()]).superRefine((v, ctx) => {
  try {
    parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const duration = durationSchema;

/** The sections core owns: logging, the poller, sinks, the config's devices and plugin options. */
export const coreSections = [
  /** debug, info, warn, error, silent. Env: LOG_LEVEL. */
  configSection('logLevel', z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'), [
    { env: 'LOG_LEVEL', path: [], type: 'string' },
  ]),
  configSection(
    'poller',
    z
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
        /** Overload detection and timeout stretching: lag, backlogWait, droppedSlots, clearAfter, maxStretch, blockedShare. */
        overload: overloadOptionsSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    [
      { env: 'POLLER_WORKERS', path: ['workers'], type: 'int' },
      { env: 'POLLER_CONCURRENT', path: ['concurrency'], type: 'int' },
      { env: 'POLLER_TIMEOUT', path: ['timeout'], type: 'string' },
    ],
  ),
  configSection(
    'sinks',
    z
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
  ),
  /** Devices from the file: read-only through the API. */
  configSection('devices', z.array(z.record(z.string(), z.unknown())).default([])),
  /** Options of each plugin, by plugin name (their schemas check them: `pluginSchemas`). */
  configSection('plugins', z.record(z.string(), z.unknown()).default({})),
] as const satisfies readonly ConfigSection[];

/** The config core's own sections make. */
export type CoreConfig = SectionsConfig<typeof coreSections>;

/** One strict object schema of the given sections (a key not among them is an error). */
export function sectionsSchema(sections: readonly ConfigSection[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const s of sections) {
    if (shape[s.key]) throw new Error(`config section "${s.key}" is registered twice`);
    shape[s.key] = s.schema;
  }
  return z.object(shape).strict();
}
