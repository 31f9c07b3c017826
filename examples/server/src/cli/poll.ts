import type { Device, PollResult, Sample } from '@ispmonitor/core';
import type { Command } from 'commander';
import { assemble, readConfig } from '../assemble.js';
import { CliError, ExitCode } from './exit-codes.js';

interface PollOpts {
  config?: string;
  driver: string;
  port?: string;
  community?: string;
  snmpVersion?: string;
  username?: string;
  settings?: string;
  json?: boolean;
}

/** Builds the device to poll from the options (an address, not a device of the config). */
function deviceFrom(host: string, opts: PollOpts): Device {
  let settings: Record<string, unknown> = {};
  if (opts.settings) {
    try {
      settings = JSON.parse(opts.settings) as Record<string, unknown>;
    } catch {
      throw new CliError('--settings must be a JSON object', ExitCode.USAGE);
    }
  }
  if (opts.driver === 'snmp') {
    settings = {
      version: opts.snmpVersion ?? (opts.username ? '3' : '2c'),
      ...(opts.community ? { community: opts.community } : {}),
      ...(opts.username ? { username: opts.username } : {}),
      ...settings,
    };
  }
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new CliError(`--port must be 1..65535, got "${opts.port}"`, ExitCode.USAGE);
  }
  return { id: 'cli-poll', host, driver: opts.driver, ...(port ? { port } : {}), [opts.driver]: settings };
}

function printHuman(device: Device, result: PollResult, ms: number): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${device.host} (${device.driver}) polled in ${ms} ms`);
  if (result.error) out(`ERROR ${result.error.code}: ${result.error.message}`);
  const sys = result.facts?.system;
  if (sys) out(`system: ${[sys.name, sys.vendor, sys.model, sys.version].filter(Boolean).join(' · ')}`);
  const f = result.facts;
  if (f) {
    const counts = Object.entries(f)
      .filter(([k, v]) => k !== 'system' && Array.isArray(v))
      .map(([k, v]) => `${k} ${(v as unknown[]).length}`);
    if (counts.length) out(`facts: ${counts.join(', ')}`);
  }
  const byName = new Map<string, Sample[]>();
  for (const s of result.samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  out(`samples: ${result.samples.length} in ${byName.size} metrics`);
  for (const [name, samples] of [...byName].sort()) {
    const first = samples[0] as Sample;
    const extra = Object.entries(first.labels).filter(([k]) => k !== 'device');
    const label = extra.length ? `{${extra.map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
    out(
      `  ${name}${label} ${String(first.value)}${samples.length > 1 ? `  (+${samples.length - 1} more series)` : ''}`,
    );
  }
  for (const p of result.partErrors ?? []) out(`part ${p.part} failed: ${p.code} ${p.message}`);
}

/** `ispmonitor poll <host>`: one poll, printing what would be collected (checks credentials). */
export function pollCommand(program: Command): void {
  program
    .command('poll')
    .description('poll one device once and print what would be collected; exit 1 if it does not answer')
    .argument('<host>', 'address to poll, or the id of a device in the config')
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .option('-d, --driver <kind>', 'driver: snmp or mikrotik', 'snmp')
    .option('-p, --port <port>', 'port, when not the driver default')
    .option('--community <community>', 'SNMP v1/v2c community')
    .option('--snmp-version <version>', 'SNMP version: 1, 2c or 3')
    .option('--username <user>', 'SNMPv3 user (other v3 settings via --settings)')
    .option('--settings <json>', 'driver settings as JSON, e.g. \'{"username":"api","password":"…"}\'')
    .option('--json', 'print the result as JSON')
    .action(async (host: string, opts: PollOpts) => {
      const { loaded } = await readConfig(opts.config);
      // A device of the config file is assembled as one (so what only config devices may, such
      // as a RouterOS CA file path, works as it does under `serve`); any other address is not.
      const known = (loaded.config.devices as Device[]).filter((d) => d.id === host);
      const monitor = await assemble({ ...loaded.config, devices: known }, loaded.secrets, {
        storage: false,
      });
      try {
        const device = monitor.devices.get(host)?.device ?? deviceFrom(host, opts);
        const started = Date.now();
        const result = await monitor.pollOnce(device);
        const ms = Date.now() - started;
        if (opts.json) {
          const text = JSON.stringify({ device: device.host, durationMs: ms, ...result }, (_k, v) =>
            typeof v === 'bigint' ? v.toString() : v,
          );
          process.stdout.write(`${text}\n`);
        } else printHuman(device, result, ms);
        if (result.error) throw new CliError(`${device.host}: ${result.error.message}`, ExitCode.FAILURE);
      } finally {
        await monitor.stop();
      }
    });
}
