#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { configCommand } from './cli/config.js';
import { databaseCommands } from './cli/database.js';
import { demoCommand } from './cli/demo.js';
import { diagnosticsCommand } from './cli/diagnostics.js';
import { discoverCommand } from './cli/discover.js';
import { ExitCode, exitCodeOf } from './cli/exit-codes.js';
import { licenseCommands } from './cli/license.js';
import { pollCommand } from './cli/poll.js';
import { serveCommand } from './cli/serve.js';
import { userCommands } from './cli/user.js';
import { SERVER_VERSION } from './version.js';

const program = new Command('ispmonitor')
  .description('ISP Monitor: poll routers, keep their metrics, serve an API and Prometheus metrics')
  .version(SERVER_VERSION)
  .addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failure (device, database or server problem), 2 usage or config error.',
  )
  .exitOverride()
  .showHelpAfterError();

serveCommand(program);
demoCommand(program);
databaseCommands(program);
diagnosticsCommand(program);
pollCommand(program);
discoverCommand(program);
configCommand(program);
licenseCommands(program);
userCommands(program);
// Every subcommand (also `config validate`, `healthcheck db`) must throw instead of exiting itself.
const override = (c: Command): void => {
  c.exitOverride();
  for (const sub of c.commands) override(sub);
};
override(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end "with an error" in commander's override mode: they are successes.
    const ok =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help';
    process.exitCode = ok ? ExitCode.OK : ExitCode.USAGE;
  } else {
    process.stderr.write(`ispmonitor: ${(err as Error).message}\n`);
    process.exitCode = exitCodeOf(err);
  }
}
