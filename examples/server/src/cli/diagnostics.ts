import { CORE_VERSION, type Device } from '@ispmonitor/core';
import { checkDatabase } from '@ispmonitor/plugin-postgres';
import type { Command } from 'commander';
import { readConfig, storageOptions } from '../assemble.js';
import { configSummary } from '../system/report.js';
import { configFindings, deviceFindings, summarise } from '../system/security-findings.js';
import { SERVER_VERSION } from '../version.js';

/**
 * `ispmonitor diagnostics`: asks the running server (`/api/v1/diagnostics`, with an admin API
 * key from ISPM_API_KEY) for everything; when no server answers, reports what it can offline.
 */
export function diagnosticsCommand(program: Command): void {
  program
    .command('diagnostics')
    .description(
      'versions, plugins, config summary (secrets redacted), devices by status, database, recent errors, security findings',
    )
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .option('--url <url>', 'API of the running server (default http://127.0.0.1:<api.port>)')
    .option('--api-key <key>', 'admin API key (env ISPM_API_KEY)', process.env.ISPM_API_KEY)
    .action(async (opts: { config?: string; url?: string; apiKey?: string }) => {
      const { loaded, server } = await readConfig(opts.config);
      const base = opts.url ?? `http://127.0.0.1:${loaded.config.api.port}`;
      let live: unknown;
      let liveError: string | undefined;
      if (opts.apiKey) {
        try {
          const res = await fetch(`${base}/api/v1/diagnostics`, {
            headers: { authorization: `Bearer ${opts.apiKey}` },
            signal: AbortSignal.timeout(5000),
          });
          if (res.ok) live = await res.json();
          else liveError = `${base} answered ${res.status}`;
        } catch (err) {
          liveError = `${base}: ${(err as Error).message}`;
        }
      } else {
        liveError = 'no API key (ISPM_API_KEY): the running server was not asked';
      }
      const report = live ?? {
        source: 'offline',
        note: liveError,
        versions: {
          server: SERVER_VERSION,
          core: CORE_VERSION,
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
        },
        config: configSummary(loaded.config),
        // From the config file alone: devices added through the API and users need the server.
        security: summarise([
          ...configFindings(loaded.config, server),
          ...(loaded.config.devices as unknown as Device[]).flatMap(deviceFindings),
        ]),
        database: await checkDatabase(storageOptions(loaded.config) as { url?: string; dataDir?: string }),
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    });
}
