import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, missingPeer, stopProcess } from '@ispmonitor/core/testing';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Why Prometheus tests cannot run here, or undefined when they can. In strict mode a missing binary is an error. */
export function prometheusMissing(): string | undefined {
  if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return undefined;
  return missingPeer(`${PROMETHEUS} or ${PROMTOOL} not installed (Debian package "prometheus")`);
}

export { freePort };

/** `promtool check …`: exit status and output. */
export function promtool(args: string[]): { code: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** One instant-query answer of Prometheus: the series and its latest value. */
export type PromSeries = { metric: Record<string, string>; value: [number, string] };

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<PromSeries[]>;
  stop(): Promise<void>;
  log(): string;
}

/** Starts a Prometheus with its own temp storage on a free loopback port. */
export async function startPrometheus(configFile: string): Promise<RunningPrometheus> {
  const storage = mkdtempSync(join(tmpdir(), 'ispm-prom-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const exited = new Promise((r) => child.on('close', r));
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`Prometheus did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data?.result ?? [];
    },
    async stop() {
      await stopProcess(child);
      await exited;
      rmSync(storage, { recursive: true, force: true });
    },
    log: () => log,
  };
}

/**
 * Asks `prom` for `expr` every half second until the answer has `count` series or `ms` have
 * passed (scrapes and discovery take a few intervals); resolves with the last answer either way,
 * for the caller to assert on.
 */
export async function queryUntil(
  prom: RunningPrometheus,
  expr: string,
  count: number,
  ms = 30_000,
): Promise<PromSeries[]> {
  const until = Date.now() + ms;
  let answer: PromSeries[] = [];
  while (Date.now() < until) {
    answer = await prom.query(expr);
    if (answer.length === count) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return answer;
}
