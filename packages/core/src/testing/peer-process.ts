import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { stopProcess } from './stop-process.js';

/** What {@link startPeerProcess} starts. */
export interface PeerProcessOptions {
  /** The executable (e.g. `/usr/bin/prometheus-alertmanager`). */
  bin: string;
  /** Its arguments, given the free loopback port it is to listen on. */
  args: (port: number) => string[];
  /** Path answered with a 2xx once the peer is ready (`/-/ready` for Prometheus and Alertmanager). */
  readyPath: string;
  /** How long it may take to get ready. Default 30 s. */
  readyTimeoutMs?: number;
  /** How long stop waits for SIGTERM before SIGKILL. Default 15 s. */
  stopGraceMs?: number;
}

/** A running peer: its base URL, the tail of its output, and stop (which is safe to call twice). */
export interface PeerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts a test peer's binary on a free loopback port and waits until it answers `readyPath`. Its
 * output is kept (the last 8 kB) for the error when it never gets ready, which is thrown after the
 * process is stopped — so a failed start leaves nothing running.
 */
export async function startPeerProcess(o: PeerProcessOptions): Promise<PeerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(o.bin, o.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // 'close' comes once its output is read to the end: the error below quotes all of it.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const peer: PeerProcess = {
    url,
    port,
    child,
    log: () => log,
    stop: () => stopProcess(child, o.stopGraceMs),
  };
  const until = Date.now() + (o.readyTimeoutMs ?? 30_000);
  while (child.exitCode === null && Date.now() < until) {
    try {
      if ((await fetch(`${url}${o.readyPath}`)).ok) return peer;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await peer.stop();
  await Promise.race([closed, sleep(1000)]);
  throw new Error(`${o.bin} did not become ready:\n${log.slice(-2000)}`);
}
