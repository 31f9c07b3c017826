import { ErrorCodes, monitorError, type Plugin } from '@ispmonitor/core';
import { remoteWrite, optionsSchema as remoteWriteOptions } from '@ispmonitor/plugin-remote-write';
import { z } from 'zod';
import type { ServerFileConfig } from '../config-sections.js';

/**
 * `server.storage`: where the server's charts read samples from. PostgreSQL keeps inventory,
 * statuses, alert state and subscriber history in both modes.
 */
export const storageConfigSchema = z
  .object({
    /**
     * `postgres` (default): charts, latest values and rankings read PostgreSQL. `prometheus`: they
     * read a Prometheus-compatible query API (Prometheus, VictoriaMetrics, Mimir, …) that the
     * remote-write plugin writes to. Env: ISPM_SAMPLES.
     */
    samples: z.enum(['postgres', 'prometheus']).default('postgres'),
    /**
     * Base URL of the query API in `prometheus` mode (`/api/v1/query` is appended), e.g.
     * `http://victoria:8428` or `http://mimir:8080/prometheus`. Default: the first remote-write
     * target's URL without its `/api/v1/write` (or `/api/v1/push`). Env: ISPM_SAMPLES_QUERY_URL.
     */
    queryUrl: z.string().url().optional(),
  })
  .strict()
  .prefault({});

/** The validated `server.storage` section. */
export type StorageConfig = z.output<typeof storageConfigSchema>;

/** Environment variables of remote write and the sample read-back. */
export const SAMPLES_ENV = ['REMOTE_WRITE_URL', 'ISPM_SAMPLES', 'ISPM_SAMPLES_QUERY_URL'];

/** A stand-in target, so `plugins.remoteWrite` without `targets` validates when REMOTE_WRITE_URL gives them. */
const PLACEHOLDER = { url: 'http://127.0.0.1/api/v1/write' };

/**
 * `plugins.remoteWrite` as `config validate` checks it: absent is fine; `targets` may come from
 * REMOTE_WRITE_URL instead.
 */
export const remoteWriteSectionSchema = z.preprocess(
  (v) =>
    v && typeof v === 'object' && Object.keys(v).length > 0
      ? { targets: [PLACEHOLDER], ...(v as object) }
      : undefined,
  remoteWriteOptions.optional(),
);

/**
 * Applies REMOTE_WRITE_URL (comma-separated URLs: the targets, replacing the file's),
 * ISPM_SAMPLES and ISPM_SAMPLES_QUERY_URL to the loaded config, in place.
 */
export function applySamplesEnv(config: ServerFileConfig, env: Record<string, string | undefined>): void {
  const urls = (env.REMOTE_WRITE_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length > 0) {
    const section = (config.plugins.remoteWrite ?? {}) as Record<string, unknown>;
    config.plugins.remoteWrite = { ...section, targets: urls.map((url) => ({ url })) };
  }
  const storage = { ...((config.server.storage ?? {}) as Record<string, unknown>) };
  if (env.ISPM_SAMPLES) storage.samples = env.ISPM_SAMPLES;
  if (env.ISPM_SAMPLES_QUERY_URL) storage.queryUrl = env.ISPM_SAMPLES_QUERY_URL;
  if (Object.keys(storage).length > 0) config.server.storage = storage;
}

/** The query API of a remote-write URL: `http://h:8428/api/v1/write` → `http://h:8428`. */
export function queryUrlOf(writeUrl: string): string | undefined {
  const u = new URL(writeUrl);
  const m = /^(.*)\/api\/v1\/(write|push)\/?$/.exec(u.pathname);
  if (!m) return undefined;
  u.pathname = m[1] || '/';
  return u.toString().replace(/\/$/, '');
}

/**
 * The remote-write plugin for `plugins.remoteWrite` (undefined when not configured); in
 * `prometheus` mode with a query reader, so charts read back from the receiver. Put it after the
 * storage plugin: the last provider of the sample reads wins.
 */
export function remoteWritePlugin(config: ServerFileConfig): Plugin<unknown> | undefined {
  const storage = storageConfigSchema.parse(config.server.storage ?? {});
  const section = config.plugins.remoteWrite as
    | { targets?: Array<{ url: string }>; query?: unknown }
    | undefined;
  const targets = section?.targets ?? [];
  if (storage.samples === 'postgres') {
    return targets.length > 0 ? (remoteWrite(section as never) as Plugin<unknown>) : undefined;
  }
  const first = targets[0]?.url;
  const url = storage.queryUrl ?? (first ? queryUrlOf(first) : undefined);
  if (targets.length === 0 || !url) {
    throw monitorError(
      ErrorCodes.CONFIG_INVALID,
      'server.storage.samples: "prometheus" needs remote-write targets (REMOTE_WRITE_URL or plugins.remoteWrite.targets) and a query URL (server.storage.queryUrl, or a target ending in /api/v1/write)',
    );
  }
  const query = { url, ...((section?.query as object | undefined) ?? {}) };
  return remoteWrite({ ...(section as object), query } as never) as Plugin<unknown>;
}
