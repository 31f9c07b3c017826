// Peers of the SNMP benchmark: snmpsim (ios.snmprec), snmpd and prometheus-snmp-exporter, each in a
// temp directory on a free loopback port, as `nobody` where the tool drops privileges.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';

export async function freeUdpPort() {
  const s = createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export async function freeTcpPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForAgent(port, community, ms = 60_000) {
  const deadline = Date.now() + ms;
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
    if (Date.now() > deadline) throw new Error(`agent on ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(child, dir) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}

async function nobodyDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o777);
  return dir;
}

export async function startSnmpsim(snmprecDir, community) {
  const dir = await nobodyDir('ispm-bench-snmpsim-');
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  await mkdir(data, { mode: 0o755 });
  await mkdir(cache);
  await chmod(cache, 0o777);
  await copyFile(join(snmprecDir, `${community}.snmprec`), join(data, `${community}.snmprec`));
  await chmod(join(data, `${community}.snmprec`), 0o644);
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
  await waitForAgent(port, community);
  return { port, pid: child.pid, stop: () => stop(child, dir) };
}

export const snmpdCreds = {
  community: 'testcomm',
  username: 'monuser',
  authKey: 'authpass123',
  privKey: 'privpass123',
};

/** The `snmp` settings of a device polled as the snmpd peer's v3 user (authPriv, SHA/AES). */
export function snmpdV3() {
  const { username, authKey, privKey } = snmpdCreds;
  return { version: '3', username, authProtocol: 'sha', authKey, privProtocol: 'aes', privKey };
}

export async function startSnmpd() {
  const dir = await nobodyDir('ispm-bench-snmpd-');
  const port = await freeUdpPort();
  const conf = join(dir, 'snmpd.conf');
  await writeFile(
    conf,
    [
      `agentAddress udp:127.0.0.1:${port}`,
      'master no',
      `rocommunity ${snmpdCreds.community} 127.0.0.1`,
      `createUser ${snmpdCreds.username} SHA "${snmpdCreds.authKey}" AES "${snmpdCreds.privKey}"`,
      `rouser ${snmpdCreds.username} authpriv`,
      '',
    ].join('\n'),
  );
  const state = join(dir, 'state');
  await mkdir(state);
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
      join(dir, 'log'),
      '-p',
      join(dir, 'pid'),
    ],
    { stdio: 'ignore' },
  );
  await waitForAgent(port, snmpdCreds.community, 30_000);
  return { port, stop: () => stop(child, dir) };
}

export async function startExporter(configFile) {
  const port = await freeTcpPort();
  const child = spawn(
    '/usr/bin/prometheus-snmp-exporter',
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('snmp exporter did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, pid: child.pid, stop: () => stop(child) };
}
