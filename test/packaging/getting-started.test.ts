import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RouterOsFleet,
  type SnmpAgent,
  startRouterOsFleet,
  startSnmpAgent,
} from '@ispmonitor/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot, run } from './support/workspace.js';

/**
 * docs/getting-started.md, checked against the real `ispmonitor` command: the documented config is
 * valid, the documented error is the one printed, and the documented `poll` forms work — against
 * simulated routers on loopback (the documented 10.0.0.x addresses are never contacted).
 */

const cli = join(repoRoot, 'examples/server/dist/cli.js');
const secrets = { SNMP_AUTH_KEY: 'auth-key-123', SNMP_PRIV_KEY: 'priv-key-123', MIKROTIK_PASSWORD: 'pw-123' };
let doc = '';
let tmp = '';
let configFile = '';
let agent: SnmpAgent;
let ros: RouterOsFleet;

/** Environment for the CLI: ours without the documented secrets, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of [...Object.keys(secrets), 'ISPM_CONFIG']) delete base[k];
  return { ...base, LOG_LEVEL: 'error', ...extra };
}

beforeAll(async () => {
  await ensureBuilt(['examples/server']);
  doc = await readFile(join(repoRoot, 'docs/getting-started.md'), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!yaml) throw new Error('docs/getting-started.md has no yaml block');
  tmp = await mkdtemp(join(tmpdir(), 'ispm-gs-'));
  configFile = join(tmp, 'config.yaml');
  await writeFile(configFile, yaml);
  agent = await startSnmpAgent({ profile: 'mikrotik', community: 'gs-ro' });
  ros = await startRouterOsFleet({ count: 1, username: 'monitor', password: 'pw-123' });
}, 300_000);

afterAll(async () => {
  await agent?.close();
  await ros?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('docs/getting-started.md', () => {
  it('documents a config that `ispmonitor config validate` accepts', async () => {
    const res = await run('node', [cli, 'config', 'validate', 'config.yaml'], {
      cwd: tmp,
      env: env(secrets),
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('config.yaml: valid (2 devices)');
    expect(doc).toContain(`Exit 0 prints \`${res.stdout.trim()}\``);
  });

  it('shows the error validate really prints for a missing secret', async () => {
    const { MIKROTIK_PASSWORD: _, ...partial } = secrets;
    const res = await run('node', [cli, 'config', 'validate', 'config.yaml'], {
      cwd: tmp,
      env: env(partial),
    });
    expect(res.code).toBe(2);
    const message = res.stderr.trim().replace(/^ispmonitor: /, '');
    expect(message).toMatch(/^config\.yaml:\d+: devices\.1\.mikrotik\.password: /);
    expect(doc).toContain(message);
  });

  it('`ispmonitor poll` with a community reads an SNMP router', async () => {
    const res = await run(
      'node',
      [cli, 'poll', agent.host, '--port', String(agent.port), '--community', agent.community],
      { cwd: tmp, env: env(), timeoutMs: 60_000 },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^${agent.host} \\(snmp\\) polled in \\d+ ms`));
    expect(res.stdout).toMatch(/^facts: interfaces \d+/m);
    expect(res.stdout).toMatch(/^ {2}interface_in_octets_total\{ifName="ether1"\} \d+/m);
  });

  it('`ispmonitor poll -d mikrotik --settings` reads a RouterOS router', async () => {
    const settings = JSON.stringify({ username: 'monitor', password: 'pw-123', tls: false });
    const port = String(ros.ports[0]);
    const res = await run(
      'node',
      [cli, 'poll', '127.0.0.1', '-d', 'mikrotik', '-p', port, '--settings', settings],
      {
        cwd: tmp,
        env: env(),
        timeoutMs: 60_000,
      },
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^127\.0\.0\.1 \(mikrotik\) polled in \d+ ms/);
    expect(res.stdout).toMatch(/^samples: [1-9]\d* in \d+ metrics/m);
    // The password never reaches the output.
    expect(res.stdout + res.stderr).not.toContain('pw-123');
  });

  it('`ispmonitor poll` exits 1 with the error code when the router does not answer', async () => {
    const settings = JSON.stringify({ username: 'monitor', password: 'pw-123', tls: false });
    const res = await run(
      'node',
      [cli, 'poll', '127.0.0.1', '-d', 'mikrotik', '-p', '1', '--settings', settings],
      {
        cwd: tmp,
        env: env(),
        timeoutMs: 60_000,
      },
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^ERROR MIKROTIK_UNREACHABLE: /m);
  });

  it('documents only commands the CLI has', async () => {
    const help = await run('node', [cli, '--help'], { cwd: tmp, env: env() });
    const commands = [...doc.matchAll(/\bispmonitor ([a-z]+)\b/g)].map((m) => m[1] as string);
    for (const c of new Set(commands))
      expect(help.stdout, `ispmonitor ${c}`).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
  });
});
