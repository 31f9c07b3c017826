/**
 * Real receivers for tests: Debian's `prometheus` (2.x, remote-write receiver on) and
 * `victoria-metrics` (single node), each started in a temp folder on a free loopback port.
 * `pause()` stops the process and `resume()` starts it again on the same folder and port: a
 * receiver outage. A missing binary fails a strict run (core/testing `missingPeer`); elsewhere the
 * test is skipped with the reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, missingPeer } from '@ispmonitor/core/testing';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const VICTORIA_BIN = '/usr/bin/victoria-metrics';

/** Why a receiver cannot run here (undefined when it can); throws in strict mode. */
export function binaryMissing(bin: string, pkg: string): string | undefined {
  if (existsSync(bin)) return undefined;
  return missingPeer(`${bin} not found (Debian package ${pkg}; scripts/install-services.sh installs it)`);
}

export { freePort };

/** A receiver process the test controls. */
export interface Receiver {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** The remote-write URL. */
  writeUrl: string;
  /** Stops the process (data kept): the receiver is down. */
  pause(): Promise<void>;
  /** Starts it again on the same folder and port and waits until it is ready. */
  resume(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
  /** Its output so far (for failure messages). */
  log(): string;
}

async function waitReady(
  url: string,
  proc: () => ChildProcess | undefined,
  log: () => string,
): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const p = proc();
    if (!p || p.exitCode !== null) throw new Error(`receiver exited:\n${log().slice(-2000)}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`receiver not ready at ${url}:\n${log().slice(-2000)}`);
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));
}

async function startReceiver(
  bin: string,
  args: (port: number, dir: string) => string[],
  readyPath: string,
  writePath: string,
  prepare: (dir: string) => void = () => {},
): Promise<Receiver> {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-rw-'));
  prepare(dir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let out = '';
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      out += b.toString();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    await waitReady(
      `${base}${readyPath}`,
      () => proc,
      () => out,
    );
  };
  const halt = async () => {
    const p = proc;
    proc = undefined;
    if (!p) return;
    p.kill('SIGTERM');
    await exited(p);
  };
  await launch();
  return {
    base,
    writeUrl: `${base}${writePath}`,
    pause: halt,
    resume: launch,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => out,
  };
}

/**
 * Prometheus with the remote-write receiver, and an out-of-order window of 3 h: samples replayed
 * from a spool after newer ones were sent are older than the series' head (Prometheus 2.39+).
 */
export function startPrometheus(): Promise<Receiver> {
  return startReceiver(
    PROMETHEUS_BIN,
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    '/-/ready',
    '/api/v1/write',
    (dir) =>
      writeFileSync(
        join(dir, 'prometheus.yml'),
        'global:\n  scrape_interval: 1m\nstorage:\n  tsdb:\n    out_of_order_time_window: 3h\n',
      ),
  );
}

/** VictoriaMetrics single node; searches see a sample at once (no latency offset, no cache). */
export function startVictoria(): Promise<Receiver> {
  return startReceiver(
    VICTORIA_BIN,
    (port, dir) => [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-loggerLevel=WARN',
    ],
    '/health',
    '/api/v1/write',
  );
}

/** Raw samples of every series matching `selector` in the last `window` (a PromQL range selector at `at`). */
export async function rawSeries(
  base: string,
  selector: string,
  at: number,
  window = '3h',
): Promise<Array<{ labels: Record<string, string>; points: Array<[number, number]> }>> {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(`${selector}[${window}]`)}&time=${at / 1000}`;
  const res = await fetch(url);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`query ${selector} failed: ${body.error}`);
  return (body.data?.result ?? []).map((r) => ({
    labels: r.metric,
    points: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
  }));
}
