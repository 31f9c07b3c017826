import { discover } from '@ispmonitor/plugin-snmp';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CliError, ExitCode } from './exit-codes.js';
import { ProgressBar } from './progress.js';

interface DiscoverOpts {
  community: string;
  snmpVersion: string;
  port: string;
  concurrency: string;
  timeout: string;
  force?: boolean;
  json?: boolean;
}

/** `ispmonitor discover <cidr>`: SNMP sweep printing devices ready for the config file. */
export function discoverCommand(program: Command): void {
  program
    .command('discover')
    .description('sweep an IPv4 range for SNMP devices and print them as config devices')
    .argument('<cidr>', 'range such as 10.1.0.0/24, or one address')
    .option('--community <community>', 'SNMP community', 'public')
    .option('--snmp-version <version>', 'SNMP version 1 or 2c', '2c')
    .option('-p, --port <port>', 'UDP port', '161')
    .option('--concurrency <n>', 'addresses probed at once', '64')
    .option('--timeout <duration>', 'per-address timeout', '1s')
    .option('--force', 'allow ranges larger than a /16')
    .option('--json', 'print JSON instead of YAML')
    .action(async (cidr: string, opts: DiscoverOpts) => {
      const port = Number(opts.port);
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new CliError(`--port: "${opts.port}" is not a port`, ExitCode.USAGE);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new CliError('--concurrency must be ≥ 1', ExitCode.USAGE);
      const bar = new ProgressBar();
      let result: Awaited<ReturnType<typeof discover>>;
      try {
        result = await discover({
          cidr,
          snmp: { version: opts.snmpVersion as '2c', community: opts.community },
          port,
          concurrency,
          timeout: opts.timeout,
          force: Boolean(opts.force),
          onProgress: (p) => bar.update(p.done, p.total, `found ${p.found}`),
        });
      } catch (err) {
        // A bad range or option is the caller's mistake, not a failure of the sweep.
        if (err instanceof RangeError || err instanceof TypeError)
          throw new CliError(err.message, ExitCode.USAGE);
        throw err;
      } finally {
        bar.finish();
      }
      process.stderr.write(`scanned ${result.scanned} addresses, ${result.responders.length} answered\n`);
      const devices = result.devices;
      process.stdout.write(opts.json ? `${JSON.stringify(devices, null, 2)}\n` : stringify({ devices }));
    });
}
