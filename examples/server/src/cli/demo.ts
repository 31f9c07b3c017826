import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Monitor } from '@ispmonitor/core';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import {
  createDemoFleet,
  type DemoBngs,
  type DemoFleet,
  demoFleetHistory,
  historySize,
  planDemoBngs,
  planDemoNetwork,
  startDemoBngs,
} from '@ispmonitor/simulator';
import type { Command } from 'commander';
import { assemble } from '../assemble.js';
import { serverSections } from '../config-sections.js';
import { exitOnSignals, type RunningServer, runServer } from '../run-server.js';
import { parseServerConfig } from '../server-config.js';
import { CliError, ExitCode } from './exit-codes.js';

/** The login the demo prints: a demo is for looking around, not for production. */
export const DEMO_LOGIN = { username: 'admin', password: 'ispmonitor-demo' } as const;

export interface DemoOptions {
  /** Simulated SNMP routers. Default 12. */
  routers?: number;
  /** PGlite data folder, kept after the demo; default a temporary folder removed at stop. */
  dataDir?: string;
  apiPort?: number;
  metricsPort?: number;
  host?: string;
  /** Poll interval of the simulated routers. Default `5s`. */
  interval?: string;
  /** Physical ports per simulated SNMP router (the simulator's default, 8, when absent). */
  ports?: number;
  /**
   * Backfill 30 days of history (sessions, leases, status changes, charts) at start: about half a
   * minute. Default false here (tests start demos); `ispmonitor demo` turns it on (`--no-history`).
   */
  history?: boolean;
  print?: (line: string) => void;
}

/** A running demo: simulated routers, the monitor with embedded storage, API and metrics. */
export interface Demo {
  /** Base URL of the API (and of the web UI when it is built). */
  url: string;
  username: string;
  password: string;
  fleet: DemoFleet;
  /** The emulated RouterOS BNGs and their subscribers. */
  bngs: DemoBngs;
  /** The embedded database's folder (a temporary one unless `dataDir` was given). */
  dataDir: string;
  server: RunningServer;
  monitor: Monitor;
  stop(): Promise<void>;
  /** Same as `stop`. */
  close(): Promise<void>;
}

/**
 * Alert rules of the demo: the ISP pack, with a dead router alerted 5 s after it is marked down
 * (not 2 min), plus a fast CPU rule, so something fires within a minute.
 */
const DEMO_ALERTS = {
  evaluationInterval: '5s',
  pack: { isp: { downFor: '5s' } },
  rules: [
    {
      name: 'DemoCpuHigh',
      metric: 'device_cpu_load_ratio',
      op: '>',
      threshold: 0.9,
      for: '5s',
      severity: 'warning',
      annotations: { summary: 'CPU of {{ device }} at {{ value | percent }}' },
    },
  ],
};

/**
 * Writes the demo's 30 days of history (the simulator's, ending where the live data begins) into
 * the embedded database, so charts, availability and subscriber history are not a single dot. A
 * failure is logged, not fatal: the demo runs on without history.
 */
async function backfill(
  monitor: Monitor,
  fleet: DemoFleet,
  bngs: DemoBngs,
  generated: { history: ReturnType<typeof demoFleetHistory>; ms: number },
  print: (l: string) => void,
) {
  if (!monitor.has(postgresStore)) return;
  const started = performance.now();
  try {
    const { history } = generated;
    const store = monitor.resolve(postgresStore);
    // PGlite runs on this thread: the history goes in slices, with a turn of the event loop
    // between them, so the poller keeps polling while it is written.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const { sessions, series, ...rest } = history;
    await store.importHistory(rest);
    for (let i = 0; i < sessions.length; i += 10_000) {
      await turn();
      await store.importHistory({ sessions: sessions.slice(i, i + 10_000) });
    }
    // Series in slices of at most 40,000 buckets (each slice also recomputes its hourly rollups).
    let slice: typeof series = [];
    let buckets = 0;
    for (const [i, s] of series.entries()) {
      slice.push(s);
      buckets += s.buckets.length;
      const next = series[i + 1];
      if (!next || buckets + next.buckets.length > 40_000) {
        await turn();
        await store.importHistory({ series: slice });
        slice = [];
        buckets = 0;
      }
    }
    const n = historySize(history);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const all = fleet.devices.length + bngs.devices.length;
    const scope =
      n.seriesDevices < all || n.sessionDays < n.days - 1
        ? ` (charts of ${n.seriesDevices} of ${all} routers, sessions of the last ${n.sessionDays} days: a big demo keeps its backfill short)`
        : '';
    print(
      `  history  ${n.days} days in ${s(generated.ms + performance.now() - started)} (generated in ${s(generated.ms)}): ` +
        `${n.sessions} PPPoE sessions, ${n.leases} leases, ${n.wireless} wireless associations, ` +
        `${n.statusChanges} status changes, ${n.series} series (${n.buckets} buckets)${scope}`,
    );
  } catch (err) {
    monitor.logger.warn('demo history could not be imported', { error: (err as Error).message });
  }
}

/** The named variables of the process environment that are set. */
const pickEnv = (names: string[]): Record<string, string> =>
  Object.fromEntries(names.flatMap((n) => (process.env[n] ? [[n, process.env[n] as string]] : [])));

/**
 * `npm start`: a simulated ISP (SNMP routers on loopback, with a CPU spike, a link going down and
 * a router dying within the first minute), polled by the monitor, stored in an in-memory PGlite.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const interval = options.interval ?? '5s';
  const routers = options.routers ?? 12;
  const fleetStart = Date.now();
  // The staged problems wait for the backfill (about half a minute) so they happen in view.
  const fleet = await createDemoFleet({
    snmpDevices: routers,
    interval,
    ...(options.ports !== undefined ? { interfaces: options.ports } : {}),
    problemsDelayMs: options.history ? 45_000 : 0,
  });
  let bngs: DemoBngs | undefined;
  let scratch: string | undefined;
  const removeScratch = () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    // Several thousand PPPoE subscribers on 2 BNGs, more BNGs as the demo grows.
    bngs = await startDemoBngs(planDemoBngs(planDemoNetwork(routers).nodes), { interval });
    // The demo has no config file; of the environment it takes what shapes a look around: the
    // log level, poller workers and their concurrency, and the profiling endpoints.
    const env = pickEnv(['LOG_LEVEL', 'POLLER_WORKERS', 'POLLER_CONCURRENT']);
    const { config, secrets } = await loadConfig(undefined, { env, sections: serverSections });
    config.api = { host: options.host ?? '127.0.0.1', port: options.apiPort ?? 8080 };
    config.metrics = { host: options.host ?? '127.0.0.1', port: options.metricsPort ?? 9090 };
    config.poller = { ...config.poller, recheckInterval: '5s', downAfter: '30s' };
    config.plugins = { ...config.plugins, alerts: DEMO_ALERTS };
    // Without a folder of its own, the demo keeps its database in a temporary one, removed at stop:
    // PGlite held in memory grows its files by copying them whole (a quarter of its time at 500
    // routers went to that), where files on disk just grow.
    scratch = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'ispmonitor-demo-'));
    config.database = { ...config.database, dataDir: options.dataDir ?? join(scratch as string, 'db') };
    const server = parseServerConfig(
      { auth: { adminPassword: DEMO_LOGIN.password } },
      pickEnv(['ENABLE_PROFILING']),
    );
    const monitor = await assemble(config, secrets, {
      devices: [...fleet.devices, ...bngs.devices],
    });
    // The history is generated (seconds of CPU at 500 routers) before polling starts, so that
    // the monitor does not see its own event loop blocked and call itself overloaded.
    const began = performance.now();
    const generated = options.history
      ? { history: demoFleetHistory(fleet, bngs), ms: performance.now() - began }
      : undefined;
    const running = await runServer(monitor, config, server, { print });
    if (generated) await backfill(monitor, fleet, bngs, generated, print);
    print(
      `ISP Monitor demo: ${fleet.devices.length} SNMP and ${bngs.devices.length} RouterOS simulated routers on loopback`,
    );
    print(`  UI/API   ${running.urls.api}/`);
    print(`  login    user ${DEMO_LOGIN.username} password ${DEMO_LOGIN.password}`);
    print(`  health   ${running.urls.api}/health`);
    print(`  metrics  ${running.urls.metrics}/metrics   devices: ${running.urls.metrics}/metrics/devices`);
    // The staged problems run on the fleet's clock, which started before the backfill.
    const since = Date.now() - fleetStart;
    for (const p of fleet.problems) {
      const left = Math.max(0, Math.round((p.atMs - since) / 1000));
      print(`  in ${left}s: ${p.device} ${p.description}`);
    }
    const stop = async () => {
      await running.shutdown();
      await fleet.close();
      await bngs?.fleet.close();
      removeScratch();
    };
    return {
      url: running.urls.api,
      username: DEMO_LOGIN.username,
      password: DEMO_LOGIN.password,
      fleet,
      bngs,
      dataDir: config.database.dataDir,
      server: running,
      monitor,
      stop,
      close: stop,
    };
  } catch (err) {
    await fleet.close();
    await bngs?.fleet.close();
    removeScratch();
    throw err;
  }
}

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
    .option('--no-history', 'skip the 30 days of backfilled history (starts faster)')
    .option('--ports <n>', 'physical ports per simulated router (default 8; the UI benchmark uses 36)', (v) =>
      Number(v),
    )
    .option('--interval <duration>', 'poll interval of the simulated routers', '5s')
    .action(
      async (opts: {
        routers: number;
        devices?: number;
        dataDir?: string;
        apiPort: number;
        metricsPort: number;
        host: string;
        history: boolean;
        ports?: number;
        interval: string;
      }) => {
        if (opts.devices !== undefined) opts.routers = opts.devices;
        if (!Number.isInteger(opts.routers) || opts.routers < 1 || opts.routers > 5000) {
          throw new CliError('--routers must be 1..5000', ExitCode.USAGE);
        }
        if (
          opts.ports !== undefined &&
          (!Number.isInteger(opts.ports) || opts.ports < 2 || opts.ports > 96)
        ) {
          throw new CliError('--ports must be 2..96', ExitCode.USAGE);
        }
        if (!/^\d+(ms|s|m|h)$/.test(opts.interval)) {
          throw new CliError(
            `--interval: "${opts.interval}" is not a duration like 5s or 1m`,
            ExitCode.USAGE,
          );
        }
        const demo = await startDemo({
          routers: opts.routers,
          apiPort: opts.apiPort,
          metricsPort: opts.metricsPort,
          host: opts.host,
          history: opts.history,
          interval: opts.interval,
          ...(opts.ports !== undefined ? { ports: opts.ports } : {}),
          // Accepted since the demo command began, but never passed on: the folder was ignored.
          ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        });
        exitOnSignals({ ...demo.server, shutdown: () => demo.stop() }, 10, (m) =>
          process.stderr.write(`${m}\n`),
        );
        await new Promise(() => {});
      },
    );
}
