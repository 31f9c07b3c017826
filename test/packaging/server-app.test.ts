import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Packed,
  packForProject,
  pluginTemplate,
  publishable,
  run,
  smallDemoArgs,
} from './support/workspace.js';

/**
 * The server installed as an app, the way a user installs it: `npm install` of its tarball (with
 * the other packages' tarballs, since nothing is on the registry yet) in an empty folder outside
 * the workspace, then `npx ispmonitor …` and `npx ispmonitor-sim …` from there. The last test is a
 * third-party plugin author's whole path: the template's package installed next to the server,
 * one `plugins` entry in a YAML config, its device online through the API.
 */

const API_PORT = 19340;
const METRICS_PORT = 19341;
const KEY = 'ispm_packaging_admin_key_0123456789abcdefghijklmnop';

let tmp = '';
let app = '';
let install = { code: 0 as number | null, stdout: '', stderr: '' };
let template: Packed;
const children: ChildProcess[] = [];

/** Our environment without vitest's variables and without anything that configures the server. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('ISPM_')),
  );
  return { ...env, NO_COLOR: '1', LOG_LEVEL: 'info', ...extra };
}

/** Spawns `npx <args>` in the app folder; resolves once `ready(output)` holds, with the output so far. */
function start(
  args: string[],
  ready: (out: string) => boolean,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn('npx', ['--no-install', ...args], {
    cwd: app,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 240_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (ready(out)) {
        clearTimeout(timer);
        resolve({ child, out: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** Stops a child started by `start` (npx and the node process under it, as one process group). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const closed = new Promise((r) => child.once('close', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await closed;
}

/** Polls `fn` until it returns a value (not undefined), or fails after `ms`. */
async function eventually<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  const dirs = [...publishable, pluginTemplate];
  let packed: Packed[];
  ({ tmp, project: app, packed } = await packForProject(dirs, 'ispm-app-', 'noc'));
  template = packed.at(-1) as Packed;
  await writeFile(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'noc', version: '0.0.0', private: true }, null, 2)}\n`,
  );
  install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', ...packed.filter((p) => p !== template).map((p) => p.filename)],
    { cwd: app, timeoutMs: 500_000, env: cleanEnv() },
  );
}, 900_000);

afterAll(async () => {
  for (const c of children) await stop(c);
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 120_000);

describe('@ispmonitor/server installed in an empty folder', () => {
  it('installs without engine warnings on our Node', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/EBADENGINE/);
  });

  it('links both commands and ships the built web UI', async () => {
    expect(existsSync(join(app, 'node_modules/.bin/ispmonitor'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/.bin/ispmonitor-sim'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@ispmonitor/server/ui/dist/index.html'))).toBe(true);
    const help = await run('npx', ['--no-install', 'ispmonitor', '--help'], { cwd: app, env: cleanEnv() });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}demo\b/m);
  });

  it('`npx ispmonitor demo` serves /health, the web UI and metrics, with no repository paths in its output', async () => {
    const demo = await start(['ispmonitor', ...smallDemoArgs(API_PORT, METRICS_PORT)], (out) =>
      out.includes(`127.0.0.1:${METRICS_PORT}/metrics`),
    );
    try {
      const health = await fetch(`http://127.0.0.1:${API_PORT}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toMatch(/^(pass|warn)$/);
      const ui = await fetch(`http://127.0.0.1:${API_PORT}/`);
      expect(await ui.text()).toMatch(/<!doctype html>/i);
      const metrics = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
      expect(await metrics.text()).toMatch(/^ispmonitor_routers_total\{/m);
      expect(demo.out()).not.toMatch(/examples\/server|packages\/(core|plugin-|simulator)|\.\.\/\.\.\//);
    } finally {
      await stop(demo.child);
    }
  }, 300_000);

  it('`npx ispmonitor-sim --control-port` takes a device down and back up', async () => {
    const sim = await start(['ispmonitor-sim', '--count', '1', '--control-port', '0'], (out) =>
      out.includes('READY '),
    );
    try {
      const ready = JSON.parse(/READY (.*)\n/.exec(sim.out())?.[1] ?? '{}') as {
        control: string;
        devices: { id: string }[];
      };
      const id = ready.devices[0]?.id as string;
      const down = await fetch(`${ready.control}/devices/${id}/down`, { method: 'POST' });
      expect(await down.json()).toMatchObject({ id, state: 'down' });
      const up = await fetch(`${ready.control}/devices/${id}/up`, { method: 'POST' });
      expect(await up.json()).toMatchObject({ id, state: 'up' });
    } finally {
      await stop(sim.child);
    }
  }, 300_000);
});

describe("a third-party plugin's path: template package → npm install next to the server → one config entry", () => {
  it('`ispmonitor serve` loads it from the YAML config and its device comes online through the API', async () => {
    const added = await run('npm', ['install', '--no-audit', '--no-fund', template.filename], {
      cwd: app,
      timeoutMs: 300_000,
      env: cleanEnv(),
    });
    expect(added.code, added.stderr).toBe(0);
    // Something listening on loopback for the plugin's TCP driver to reach: a simulator's control port.
    const sim = await start(['ispmonitor-sim', '--count', '1', '--control-port', '0'], (out) =>
      out.includes('READY '),
    );
    const control = new URL(
      (JSON.parse(/READY (.*)\n/.exec(sim.out())?.[1] ?? '{}') as { control: string }).control,
    );
    const config = join(app, 'config.yaml');
    await writeFile(
      config,
      [
        'api: { host: 127.0.0.1, port: 0 }',
        'metrics: { host: 127.0.0.1, port: 0 }',
        `database: { dataDir: ${join(app, 'data')} }`,
        'plugins:',
        `  ${'reachability'}:`,
        `    package: ${template.name}`,
        '    export: reachability',
        '    options: {}',
        'devices:',
        `  - { id: gate-1, host: 127.0.0.1, driver: tcp, interval: 5s, tcp: { ports: [${control.port}] } }`,
        'server:',
        `  auth: { adminApiKey: ${KEY}, initialPasswordFile: ${join(app, 'admin-password')} }`,
        '',
      ].join('\n'),
    );
    const valid = await run('npx', ['--no-install', 'ispmonitor', 'config', 'validate', 'config.yaml'], {
      cwd: app,
      env: cleanEnv(),
      timeoutMs: 120_000,
    });
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^config\.yaml: valid/);

    const serve = await start(['ispmonitor', 'serve', '-c', 'config.yaml'], (out) =>
      out.includes('"ispmonitor serving"'),
    );
    try {
      const line = serve
        .out()
        .split('\n')
        .find((l) => l.includes('"ispmonitor serving"')) as string;
      const api = (JSON.parse(line) as { api: string }).api;
      const status = await eventually(async () => {
        const res = await fetch(`${api}/api/v1/routers/gate-1`, {
          headers: { authorization: `Bearer ${KEY}` },
        });
        const s = res.ok ? ((await res.json()) as { status: string }).status : undefined;
        return s === 'online' ? s : undefined;
      }, 60_000);
      expect(status).toBe('online');
    } finally {
      await stop(serve.child);
      await stop(sim.child);
    }
    // The config and the plugin's package came from the user's folder, not the workspace.
    expect(await readFile(join(app, 'node_modules', template.name, 'package.json'), 'utf8')).toContain(
      template.name,
    );
  }, 400_000);
});
