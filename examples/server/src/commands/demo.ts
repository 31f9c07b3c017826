import type { Command } from 'commander';
import { startDemo } from '../demo.js';
import { exitOnSignals } from '../run-server.js';
import { CliError, ExitCode } from './exit-codes.js';

const port = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${name}: "${v}" is not a port`, ExitCode.USAGE);
  return n;
};

/** `ispmonitor demo`: what `npm start` runs. */
export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('simulated routers + the monitor + embedded storage: look around without any setup')
    .option('--routers <n>', 'number of simulated routers', (v) => Number(v), 12)
    .option('--devices <n>', 'same as --routers', (v) => Number(v))
    .option('--data-dir <dir>', 'keep the embedded database in this folder (default: in memory)')
    .option('--api-port <port>', 'API port', port('--api-port'), 8080)
    .option('--metrics-port <port>', 'metrics port', port('--metrics-port'), 9090)
    .option('--host <address>', 'listen address', '127.0.0.1')
    .action(
      async (opts: {
        routers: number;
        devices?: number;
        dataDir?: string;
        apiPort: number;
        metricsPort: number;
        host: string;
      }) => {
        if (opts.devices !== undefined) opts.routers = opts.devices;
        if (!Number.isInteger(opts.routers) || opts.routers < 1 || opts.routers > 5000) {
          throw new CliError('--routers must be 1..5000', ExitCode.USAGE);
        }
        const demo = await startDemo({
          routers: opts.routers,
          apiPort: opts.apiPort,
          metricsPort: opts.metricsPort,
          host: opts.host,
        });
        exitOnSignals({ ...demo.server, shutdown: () => demo.stop() }, 10, (m) =>
          process.stderr.write(`${m}\n`),
        );
        await new Promise(() => {});
      },
    );
}
