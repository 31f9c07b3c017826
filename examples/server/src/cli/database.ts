import { checkDatabase, migrate } from '@ispmonitor/plugin-postgres';
import type { Command } from 'commander';
import { readConfig, storageOptions } from '../assemble.js';
import { CliError, ExitCode } from './exit-codes.js';

/** `ispmonitor migrate` and `ispmonitor healthcheck db`. */
export function databaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (PostgreSQL from DATABASE_URL, or the PGlite folder)')
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .action(async (opts: { config?: string }) => {
      const { loaded } = await readConfig(opts.config);
      const report = await migrate(storageOptions(loaded.config) as { url?: string; dataDir?: string });
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });
  const health = program.command('healthcheck').description('health checks for scripts and container probes');
  health
    .command('db')
    .description('connect to the database and check the schema version; exit 0 when healthy, 1 otherwise')
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .action(async (opts: { config?: string }) => {
      const { loaded } = await readConfig(opts.config);
      const result = await checkDatabase(storageOptions(loaded.config) as { url?: string; dataDir?: string });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.ok) throw new CliError(`database unhealthy: ${result.message}`, ExitCode.FAILURE);
    });
}
