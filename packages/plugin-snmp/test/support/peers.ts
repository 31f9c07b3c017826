/**
 * Real SNMP peers for tests: snmpsim serving the shared recordings and Debian's snmpd, each in
 * its own temp directory on a free loopback port, run as `nobody`, stopped afterwards.
 * A missing binary fails a strict run (core/testing `missingPeer`) and skips, saying why, elsewhere;
 * absent recordings skip with "shared data absent" (test/support/shared-data.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingBinary } from '@ispmonitor/core/testing';
import snmp from 'net-snmp';
import { sharedData } from '../../../../test/support/shared-data.js';

const recordings = sharedData('snmprec');
/** Why tests that read the snmprec recordings are skipped (`undefined` when they are here). */
export const noSnmprec = recordings.absent;
/** The snmprec recordings, or undefined when the shared data is absent. */
export const snmprecDir = noSnmprec ? undefined : recordings.path;

/** Why a peer cannot run here, or undefined when it can. Throws in strict mode, where it must run. */
export function missing(binary: string, what: string): string | undefined {
  return missingBinary(binary, what);
}

/** A free UDP port on 127.0.0.1 (bound then released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Waits until a GET of sysObjectID.0 succeeds with the given community (or v3 user). */
export async function waitForAgent(port: number, community: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = snmp.createSession('127.0.0.1', community, {
        port,
        version: snmp.Version2c,
        timeout: 500,
        retries: 0,
      });
      s.on('error', () => {});
      s.get(['1.3.6.1.2.1.1.2.0'], (err) => {
        s.close();
        resolve(!err);
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`agent on 127.0.0.1:${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A running peer. */
export interface Peer {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

async function tempDirForNobody(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // The agent drops to `nobody`, which must read the data and write its cache and state here.
  await chmod(dir, 0o777);
  return dir;
}

/**
 * Starts snmpsimd serving every recording in `snmprecDir` (community = file name without
 * `.snmprec`), optionally only some of them.
 */
export async function startSnmpsim(only?: string[]): Promise<Peer> {
  if (!snmprecDir) throw new Error('shared data absent');
  const dir = await tempDirForNobody('ispm-snmpsim-');
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  await mkdir(data, { mode: 0o755 });
  await mkdir(cache, { mode: 0o777 });
  await chmod(cache, 0o777);
  for (const f of await readdir(snmprecDir)) {
    if (!f.endsWith('.snmprec') || (only && !only.includes(f.replace(/\.snmprec$/, '')))) continue;
    await copyFile(join(snmprecDir, f), join(data, f));
    await chmod(join(data, f), 0o644);
  }
  const port = await freeUdpPort();
  const child = spawn(
    '/usr/bin/snmpsimd',
    [
      `--data-dir=${data}`,
      `--agent-udpv4-endpoint=127.0.0.1:${port}`,
      `--cache-dir=${cache}`,
      '--process-user=nobody',
      '--process-group=nogroup',
      '--logging-method=null',
    ],
    { stdio: 'ignore' },
  );
  const first = only?.[0] ?? 'ios';
  try {
    await waitForAgent(port, first, 60_000);
  } catch (err) {
    await stopChild(child, dir);
    throw err;
  }
  return { port, dir, stop: () => stopChild(child, dir) };
}

/** Credentials of the snmpd peer. */
export const snmpdCreds = {
  community: 'testcomm',
  no64Community: 'testno64',
  username: 'monuser',
  authKey: 'authpass123',
  privKey: 'privpass123',
} as const;

/** The `snmp` settings of a device polled as the snmpd peer's v3 user (authPriv, SHA/AES). */
export function snmpdV3() {
  const { username, authKey, privKey } = snmpdCreds;
  return { version: '3', username, authProtocol: 'sha', authKey, privProtocol: 'aes', privKey } as const;
}

/** Starts Debian's snmpd on loopback with v2c community `testcomm` and v3 user `monuser` (SHA/AES). */
export async function startSnmpd(): Promise<Peer> {
  const dir = await tempDirForNobody('ispm-snmpd-');
  const port = await freeUdpPort();
  const conf = join(dir, 'snmpd.conf');
  await writeFile(
    conf,
    [
      `agentAddress udp:127.0.0.1:${port}`,
      'master no',
      `rocommunity ${snmpdCreds.community} 127.0.0.1`,
      // A second community that cannot see ifXTable, so the 32-bit ifTable counters are used.
      'view no64 included .1',
      'view no64 excluded .1.3.6.1.2.1.31.1.1.1',
      `rocommunity ${snmpdCreds.no64Community} 127.0.0.1 -V no64`,
      `createUser ${snmpdCreds.username} SHA "${snmpdCreds.authKey}" AES "${snmpdCreds.privKey}"`,
      `rouser ${snmpdCreds.username} authpriv`,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const state = join(dir, 'state');
  await mkdir(state, { mode: 0o777 });
  await chmod(state, 0o777);
  const child = spawn(
    'runuser',
    [
      '-u',
      'nobody',
      '--',
      'env',
      `SNMP_PERSISTENT_DIR=${state}`,
      '/usr/sbin/snmpd',
      '-f',
      '-C',
      '-c',
      conf,
      '-I',
      '-smux',
      '-Lf',
      join(dir, 'snmpd.log'),
      '-p',
      join(dir, 'snmpd.pid'),
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitForAgent(port, snmpdCreds.community, 30_000);
  } catch (err) {
    await stopChild(child, dir);
    throw err;
  }
  return { port, dir, stop: () => stopChild(child, dir) };
}
