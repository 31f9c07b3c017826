// Real SNMP agents for the SNMP tests and benchmarks alike: snmpsim serving snmprec recordings and
// Debian's snmpd, each in its own temp folder on a free loopback port, run as `nobody`, stopped
// (SIGTERM, then SIGKILL after 3 s) and their folder removed by `stop()`. Plain JavaScript so the
// benchmarks (no TypeScript) and the vitest suites share one copy; types in snmp-peers.d.mts.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';

/** A free UDP port on 127.0.0.1 (bound then released). */
export async function freeUdpPort() {
  const s = createSocket('udp4');
  await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(() => resolve()));
  return port;
}

/** Waits until a v2c GET of sysObjectID.0 with this community succeeds. */
export async function waitForAgent(port, community, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
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

/** Stops a child (SIGTERM, SIGKILL after 3 s) and removes its folder. */
export async function stopChild(child, dir) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}

async function tempDirForNobody(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // The agent drops to `nobody`, which must read the data and write its cache and state here.
  await chmod(dir, 0o777);
  return dir;
}

/** Runs `bin args…`, waits for `community` to answer on `port`; the child is stopped if it never does. */
async function started(bin, args, dir, port, community, timeoutMs) {
  const child = spawn(bin, args, { stdio: 'ignore' });
  try {
    await waitForAgent(port, community, timeoutMs);
  } catch (err) {
    await stopChild(child, dir);
    throw err;
  }
  return { port, dir, pid: child.pid, stop: () => stopChild(child, dir) };
}

/**
 * Starts snmpsimd serving the recordings in `snmprecDir` (community = file name without
 * `.snmprec`), or only those named in `only`.
 */
export async function startSnmpsim(snmprecDir, only) {
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
  const args = [
    `--data-dir=${data}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    `--cache-dir=${cache}`,
    '--process-user=nobody',
    '--process-group=nogroup',
    '--logging-method=null',
  ];
  return started('/usr/bin/snmpsimd', args, dir, port, only?.[0] ?? 'ios', 60_000);
}

/** Credentials of the snmpd peer. */
export const snmpdCreds = Object.freeze({
  community: 'testcomm',
  no64Community: 'testno64',
  username: 'monuser',
  authKey: 'authpass123',
  privKey: 'privpass123',
});

/** The `snmp` settings of a device polled as the snmpd peer's v3 user (authPriv, SHA/AES). */
export function snmpdV3() {
  const { username, authKey, privKey } = snmpdCreds;
  return { version: '3', username, authProtocol: 'sha', authKey, privProtocol: 'aes', privKey };
}

/** Starts Debian's snmpd on loopback with v2c community `testcomm` and v3 user `monuser` (SHA/AES). */
export async function startSnmpd() {
  const dir = await tempDirForNobody('ispm-snmpd-');
  const port = await freeUdpPort();
  const conf = join(dir, 'snmpd.conf');
  const c = snmpdCreds;
  const lines = [
    `agentAddress udp:127.0.0.1:${port}`,
    'master no',
    `rocommunity ${c.community} 127.0.0.1`,
    // A second community that cannot see ifXTable, so the 32-bit ifTable counters are used.
    'view no64 included .1',
    'view no64 excluded .1.3.6.1.2.1.31.1.1.1',
    `rocommunity ${c.no64Community} 127.0.0.1 -V no64`,
    `createUser ${c.username} SHA "${c.authKey}" AES "${c.privKey}"`,
    `rouser ${c.username} authpriv`,
    '',
  ];
  await writeFile(conf, lines.join('\n'), { mode: 0o644 });
  const state = join(dir, 'state');
  await mkdir(state, { mode: 0o777 });
  await chmod(state, 0o777);
  const log = join(dir, 'snmpd.log');
  const pid = join(dir, 'snmpd.pid');
  const args = ['-u', 'nobody', '--', 'env', `SNMP_PERSISTENT_DIR=${state}`, '/usr/sbin/snmpd'];
  args.push('-f', '-C', '-c', conf, '-I', '-smux', '-Lf', log, '-p', pid);
  return started('runuser', args, dir, port, c.community, 30_000);
}
