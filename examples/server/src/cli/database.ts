import { checkDatabase, migrate } from '@ispmonitor/plugin-postgres';
import type { Command } from 'commander';
import { readConfig, storageOptions } from '../assemble.js';
import { CliError, ExitCode } from './exit-codes.js';

/** Where the database is: PostgreSQL's URL or the PGlite folder, from the config's storage section. */
type Database = { url?: string; dataDir?: string };

/** Gives `command` the `--config` option and runs `run` on the database the config names. */
function onDatabase(command: Command, description: string, run: (db: Database) => Promise<void>): void {
  command
    .description(description)
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .action(async (opts: { config?: string }) => {
      const { loaded } = await readConfig(opts.config);
      await run(storageOptions(loaded.config) as Database);
    });
}

/** `ispmonitor migrate` and `ispmonitor healthcheck db`: each prints its report as one JSON line. */
export function databaseCommands(program: Command): void {
  const print = (report: unknown) => process.stdout.write(`${JSON.stringify(report)}\n`);
  onDatabase(
    program.command('migrate'),
    'apply pending database migrations (PostgreSQL from DATABASE_URL, or the PGlite folder)',
    async (db) => void print(await migrate(db)),
  );
  const health = program.command('healthcheck').description('health checks for scripts and container probes');
  onDatabase(
    health.command('db'),
    'connect to the database and check the schema version; exit 0 when healthy, 1 otherwise',
    async (db) => {
      const result = await checkDatabase(db);
      print(result);
      if (!result.ok) throw new CliError(`database unhealthy: ${result.message}`, ExitCode.FAILURE);
    },
  );
}
