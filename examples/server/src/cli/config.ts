import { createJsonLogger, ErrorCodes, monitorError } from '@ispmonitor/core';
import { alertsChecks } from '@ispmonitor/plugin-alerts';
import type { Command } from 'commander';
import { assemble, readConfig } from '../assemble.js';
import { configSummary } from '../system/report.js';

/**
 * `ispmonitor config validate [file]`: runs what `serve` runs before it starts — the config read
 * and checked, plugins imported from npm and checked, devices checked against the registered
 * drivers, the monitor assembled (every plugin's setup: alert rules, receivers and their
 * notifiers) — then stops without starting anything (no database opened, nothing polled).
 * Every problem is printed, one per line; exit 2 when there is any.
 */
export function configCommand(program: Command): void {
  const config = program.command('config').description('config file tools');
  config
    .command('validate')
    .description(
      'validate a config file as serve does before starting: sections, plugins (built-in and from npm), their options, devices against drivers, alert rules and receivers',
    )
    .argument('[file]', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string | undefined, opts: { json?: boolean }) => {
      const { loaded, server, imported } = await readConfig(file);
      // Warnings and errors still reach stderr; the assembly's info lines would only be noise here.
      const logger = createJsonLogger({ level: 'warn' });
      const monitor = await assemble(loaded.config, loaded.secrets, { role: server.role, logger });
      // What `start` would refuse once every plugin is set up: receivers naming unknown notifiers.
      const where = `${loaded.locate(['plugins', 'alerts', 'receivers'])}: plugins.alerts.receivers`;
      const problems = monitor.has(alertsChecks)
        ? monitor
            .resolve(alertsChecks)
            .problems()
            .map((p) => `${where}: ${p}`)
        : [];
      await monitor.stop();
      if (problems.length) throw monitorError(ErrorCodes.CONFIG_INVALID, problems.join('\n'));
      const plugins = monitor.plugins.map((p) => `${p.name} ${p.version}`);
      const summary = configSummary(loaded.config);
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify(
            {
              valid: true,
              source: loaded.source,
              ...summary,
              loadedPlugins: plugins,
              fromPackages: imported.map((p) => ({
                name: p.plugin.name,
                package: p.entry.package,
                version: p.from.version,
              })),
            },
            null,
            2,
          )}\n`,
        );
      else process.stdout.write(`${loaded.source}: valid (${loaded.config.devices.length} devices)\n`);
    });
}
