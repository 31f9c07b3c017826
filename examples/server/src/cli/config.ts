import type { Command } from 'commander';
import { readConfig } from '../assemble.js';
import { configSummary } from '../system/report.js';

/** `ispmonitor config validate [file]`: checks a config without starting anything. */
export function configCommand(program: Command): void {
  const config = program.command('config').description('config file tools');
  config
    .command('validate')
    .description('validate a config file: core sections, plugin options, devices and the server section')
    .argument('[file]', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string | undefined, opts: { json?: boolean }) => {
      const { loaded } = await readConfig(file);
      const summary = configSummary(loaded.config);
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ valid: true, source: loaded.source, ...summary }, null, 2)}\n`,
        );
      else process.stdout.write(`${loaded.source}: valid (${loaded.config.devices.length} devices)\n`);
    });
}
