/**
 * Starts a real Prometheus Alertmanager (Debian `prometheus-alertmanager`) on a free loopback
 * port with a temporary config and storage, for one test file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, missingBinary } from '@ispmonitor/core/testing';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** Whether the binary is here; in strict mode (core/testing `missingPeer`) its absence is an error, elsewhere a reason to skip. */
export function alertmanagerAvailable(): boolean {
  return missingBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager') === undefined;
}

export { freePort };

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/** Starts Alertmanager and waits until it is ready. */
export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'ispm-am-'));
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (c: Buffer) => {
    log = (log + c.toString()).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`alertmanager did not become ready:\n${log.slice(-2000)}`);
}
