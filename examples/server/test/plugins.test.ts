import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildCli, ROOT, runCli, type Served, startServe } from './support/cli.js';

const KEY = 'ispm_plugins_test_admin_key_0123456789abcdefghij';
/** The folder of the config file, with the plugin packages in its node_modules (as `npm install` leaves them). */
const dir = mkdtempSync(join(tmpdir(), 'ispm-plugins-'));
/** Somewhere else: `serve` runs from here, so packages must be found from the config's folder. */
const elsewhere = mkdtempSync(join(tmpdir(), 'ispm-plugins-cwd-'));
let http: Server;
let httpPort: number;

/** Writes an npm package into `dir/node_modules`: a real package.json and an ESM entry. */
function writePackage(name: string, manifest: Record<string, unknown>, code: string): void {
  const folder = join(dir, 'node_modules', name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({
      name,
      version: '1.2.0',
      type: 'module',
      exports: { '.': { import: './index.js' } },
      ...manifest,
    }),
  );
  writeFileSync(join(folder, 'index.js'), code);
}

/** An HTTP-check plugin as a third party writes it: core and zod are its (peer) dependencies. */
const HTTP_CHECK = `
import { definePlugin, tokens } from '@ispmonitor/core';
import { NotifierToken } from '@ispmonitor/plugin-alerts';
import { z } from 'zod';

const optionsSchema = z.object({ path: z.string().startsWith('/').default('/') }).strict();

export const httpCheck = definePlugin({
  name: 'httpcheck',
  version: '1.2.0',
  optionsSchema,
  setup(ctx, options) {
    ctx.provide(NotifierToken, { name: 'http-log', send: async () => ({ ok: true }) });
    ctx.provide(tokens.Driver, {
      kind: 'httpcheck',
      async poll(device) {
        try {
          const res = await fetch('http://' + device.host + ':' + device.port + options.path, {
            signal: AbortSignal.timeout(2000),
          });
          if (!res.ok) return { samples: [], error: { code: 'HTTP_STATUS', message: 'HTTP ' + res.status } };
          return { samples: [{ name: 'http_up', labels: {}, value: 1, ts: Date.now() }] };
        } catch (err) {
          return { samples: [], error: { code: 'HTTP_DOWN', message: String(err) } };
        }
      },
    });
  },
});
export default httpCheck;
`;

beforeAll(async () => {
  buildCli();
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@ispmonitor'), { recursive: true });
  // The server's own core and zod, as npm dedupes a peer dependency next to the server.
  symlinkSync(join(ROOT, 'packages', 'core'), join(modules, '@ispmonitor', 'core'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', 'zod'), join(modules, 'zod'), 'dir');
  // The server's alerts plugin too: the http plugin provides a notifier with its token.
  symlinkSync(join(ROOT, 'packages', 'plugin-alerts'), join(modules, '@ispmonitor', 'plugin-alerts'), 'dir');
  writePackage('@acme/ispm-http', { peerDependencies: { '@ispmonitor/core': '^0.1.0' } }, HTTP_CHECK);
  writePackage('acme-not-a-plugin', {}, 'export default () => ({ hello: 1 });\n');
  writePackage(
    'acme-old-core',
    { peerDependencies: { '@ispmonitor/core': '^9.0.0' } },
    'export default () => { throw new Error("never called"); };\n',
  );
  writePackage(
    'acme-future',
    {},
    `import { definePlugin } from '@ispmonitor/core';
export default definePlugin({ name: 'future', version: '3.0.0', core: '>=5.0.0', setup() {} });\n`,
  );
  // A package that brought its own copy of core (installed apart from the server).
  writePackage('acme-own-core', {}, 'export default () => { throw new Error("never called"); };\n');
  const copy = join(modules, 'acme-own-core', 'node_modules', '@ispmonitor', 'core');
  mkdirSync(copy, { recursive: true });
  writeFileSync(join(copy, 'package.json'), JSON.stringify({ name: '@ispmonitor/core', version: '0.1.0' }));
  writeFileSync(join(copy, 'index.js'), 'export {};\n');
  http = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? 200 : 404;
    res.end('ok');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as AddressInfo).port;
}, 180_000);
afterAll(async () => {
  await new Promise((r) => http?.close(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

/** Writes a config file into `dir`. */
function config(name: string, body: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(body));
  return file;
}

const webDevice = () => ({
  id: 'web-1',
  host: '127.0.0.1',
  port: httpPort,
  driver: 'httpcheck',
  interval: '1s',
});

/** Starts `ispmonitor serve` from `elsewhere`; resolves with the API URL once it serves. */
const serve = (file: string, env: Record<string, string> = {}): Promise<Served> =>
  startServe(file, { cwd: elsewhere, env, timeoutMs: 90_000 });

describe('plugins from npm packages (real processes)', () => {
  it('serve imports the package named in the config, and its device comes online through the API', async () => {
    const file = config('good.yaml', {
      api: { host: '127.0.0.1', port: 0 },
      metrics: { host: '127.0.0.1', port: 0 },
      database: { dataDir: join(dir, 'pglite') },
      plugins: {
        httpcheck: { package: '@acme/ispm-http', export: 'httpCheck', options: { path: '/healthz' } },
      },
      devices: [webDevice()],
      server: { auth: { adminApiKey: KEY, initialPasswordFile: join(dir, 'admin-password') } },
    });
    const valid = await runCli(['config', 'validate', file, '--json']);
    expect(valid.code, valid.stderr).toBe(0);
    const summary = JSON.parse(valid.stdout);
    expect(summary).toMatchObject({
      valid: true,
      loadedPlugins: expect.arrayContaining(['snmp 0.1.0', 'httpcheck 1.2.0']),
      fromPackages: [{ name: 'httpcheck', package: '@acme/ispm-http', version: '1.2.0' }],
    });

    // Every command that assembles from the config runs the plugins it names: `poll` too.
    const polled = await runCli(['poll', 'web-1', '-c', file]);
    expect(polled.code, polled.stderr).toBe(0);
    expect(polled.stdout).toMatch(/http_up/);

    const s = await serve(file);
    try {
      let status = '';
      const until = Date.now() + 30_000;
      while (status !== 'online' && Date.now() < until) {
        const res = await fetch(`${s.api}/api/v1/routers/web-1`, {
          headers: { authorization: `Bearer ${KEY}` },
        });
        if (res.ok) status = ((await res.json()) as { status: string }).status;
        if (status !== 'online') await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe('online');
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('close', r));
    }
  }, 180_000);

  it('config validate prints every problem, each with the file, the path and what to do; serve refuses the same file', async () => {
    const file = config('bad.yaml', {
      plugins: {
        alrets: {},
        httpcheck: { package: '@acme/ispm-http', export: 'httpCheck', option: { path: '/x' } },
        missing: { package: '@acme/not-installed' },
        odd: { package: 'acme-not-a-plugin' },
        old: { package: 'acme-old-core' },
        future: { package: 'acme-future' },
        typo: { package: '@acme/ispm-http', export: 'httpChek' },
        strict: { package: '@acme/ispm-http', options: { path: 'no-slash' } },
        copied: { package: 'acme-own-core' },
      },
      devices: [
        { id: 'r1', host: '127.0.0.1', driver: 'htp' },
        { id: 'r2', host: '127.0.0.1', driver: 'snmp', snmp: { version: '4', community: 'x' } },
      ],
    });
    const r = await runCli(['config', 'validate', file]);
    expect(r.code).toBe(2);
    const out = r.stderr;
    expect(out).toMatch(/bad\.yaml:2: plugins\.alrets: unknown plugin "alrets" \(did you mean "alerts"\?\)/);
    expect(out).toMatch(
      /bad\.yaml:\d+: plugins\.httpcheck\.option: unknown key \(did you mean "options"\?\)/,
    );
    expect(out).toMatch(
      /plugins\.missing: package "@acme\/not-installed" is not installed .*: run `npm install @acme\/not-installed` in /,
    );
    expect(out).toMatch(
      /plugins\.odd: export "default" of package "acme-not-a-plugin" 1\.2\.0 is not a plugin factory/,
    );
    expect(out).toMatch(
      /plugins\.old: package "acme-old-core" 1\.2\.0 supports @ispmonitor\/core \^9\.0\.0 \(its peerDependencies\), but this server runs core 0\.1\.0/,
    );
    expect(out).toMatch(
      /plugins\.future: plugin "future" 3\.0\.0 accepts @ispmonitor\/core >=5\.0\.0, but this server runs core/,
    );
    expect(out).toMatch(
      /plugins\.typo: package "@acme\/ispm-http" 1\.2\.0 has no export "httpChek" \(did you mean "httpCheck"\?\)/,
    );
    expect(out).toMatch(/plugins\.strict: .*makes the plugin "httpcheck": name the entry plugins\.httpcheck/);
    expect(out).toMatch(
      /bad\.yaml:\d+: plugins\.strict\.options\.path: .*startsWith|bad\.yaml:\d+: plugins\.strict\.options\.path: /,
    );
    expect(out).toMatch(
      /plugins\.copied: package "acme-own-core" 1\.2\.0 loads its own copy of @ispmonitor\/core .*`npm install acme-own-core` in the server's folder/,
    );
    expect(out).toMatch(/bad\.yaml: devices\[0\]: device "r1": driver: no driver "htp" is registered/);
    expect(out).toMatch(/bad\.yaml: devices\[1\]: device "r2": snmp\.version/);
    // Every problem is its own line, and none hides another.
    expect(out.split('\n').filter((l) => l.includes('bad.yaml')).length).toBeGreaterThanOrEqual(12);

    const served = await runCli(['serve', '-c', file], {}, 60_000);
    expect(served.code).toBe(2);
    expect(served.stderr).toMatch(/unknown plugin "alrets" \(did you mean "alerts"\?\)/);
    expect(served.stderr).toMatch(/no driver "htp" is registered/);
  }, 120_000);

  it("config validate lists a receiver naming a notifier nobody provides; a plugin's own notifier counts", async () => {
    const file = config('receivers.yaml', {
      plugins: {
        httpcheck: { package: '@acme/ispm-http' },
        alerts: { receivers: [{ name: 'noc', use: ['http-log', 'pager'] }] },
      },
    });
    const r = await runCli(['config', 'validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /receivers\.yaml:\d+: plugins\.alerts\.receivers: alerts: receiver "noc" uses notifier "pager", which no plugin provides \(known: http-log\)/,
    );
    expect(r.stderr).not.toMatch(/"http-log", which/);
  }, 60_000);

  it('ISPM_PLUGINS adds plugins from npm without a config file entry: a list, or JSON with options', async () => {
    const file = config('env-only.yaml', { devices: [webDevice()] });
    const without = await runCli(['config', 'validate', file]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/no driver "httpcheck" is registered/);

    const list = await runCli(['config', 'validate', file], { ISPM_PLUGINS: '@acme/ispm-http#httpCheck' });
    expect(list.code, list.stderr).toBe(0);
    const json = await runCli(['config', 'validate', file], {
      ISPM_PLUGINS: JSON.stringify({ httpcheck: { package: '@acme/ispm-http', options: { path: 'bad' } } }),
    });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/environment ISPM_PLUGINS: plugins\.httpcheck\.options\.path: /);
    const broken = await runCli(['config', 'validate', file], { ISPM_PLUGINS: '{"httpcheck": ' });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/environment ISPM_PLUGINS: not valid JSON/);
  }, 120_000);
});
