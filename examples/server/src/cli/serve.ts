import type { Command } from 'commander';
import { assemble, readConfig } from '../assemble.js';
import { exitOnSignals, runServer } from '../run-server.js';

/** `ispmonitor serve`: the monitor, API and metrics from a config file. */
export function serveCommand(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the monitor with its HTTP API (8080) and metrics (9090) from a config file')
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .option(
      '--role <role>',
      'all (poll and serve), api (serve from the database, poll nothing) or poller (poll; health only on 8080); env ISPM_ROLE, config server.role',
    )
    .action(async (opts: { config?: string; role?: string }) => {
      const env = opts.role ? { ...process.env, ISPM_ROLE: opts.role } : process.env;
      const { loaded, server } = await readConfig(opts.config, env);
      const monitor = await assemble(loaded.config, loaded.secrets, { role: server.role });
      const running = await runServer(monitor, loaded.config, server);
      const log = (msg: string) => monitor.logger.info(msg);
      monitor.logger.info('ispmonitor serving', {
        api: running.urls.api,
        metrics: running.urls.metrics,
        role: server.role,
        config: loaded.source,
      });
      exitOnSignals(running, server.shutdownTimeoutSeconds, log);
      await new Promise(() => {});
    });
}
