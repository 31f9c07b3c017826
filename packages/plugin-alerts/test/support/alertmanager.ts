/**
 * Starts a real Prometheus Alertmanager (Debian `prometheus-alertmanager`) on a free loopback
 * port with a temporary config and storage, for one test file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, missingBinary, startPeerProcess } from '@ispmonitor/core/testing';

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
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const peer = await startPeerProcess({
    bin: ALERTMANAGER_BIN,
    args: (port) => [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: 10_000,
    stopGraceMs: 5000,
  }).catch(async (err: unknown) => {
    await removeDir();
    throw err;
  });
  return {
    url: peer.url,
    stop: async () => {
      await peer.stop();
      await removeDir();
    },
  };
}
