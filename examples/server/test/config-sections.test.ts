import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ispmonitor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readConfig } from '../src/assemble.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-sections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("core's loader takes the sections their owners register", () => {
  it('knows only the sections it is given, with their defaults, overrides and file lines', async () => {
    const sections = [
      {
        key: 'gateway',
        schema: z
          .object({ port: z.number().int().max(65535).default(7000), name: z.string().default('gw') })
          .strict()
          .prefault({}),
        env: [{ env: 'GATEWAY_PORT', path: ['port'], type: 'int' }],
      },
    ] as const;
    const { config } = await loadConfig(undefined, { env: { GATEWAY_PORT: '7001' }, sections });
    expect(config.gateway).toEqual({ port: 7001, name: 'gw' });
    expect(config.poller.concurrency).toBe(100);
    expect('api' in config).toBe(false);

    const path = file('owner.yaml', 'gateway:\n  name: g\n  port: 70000\napi:\n  port: 8080\n');
    const err = await loadConfig(path, { env: { GATEWAY_PORT: 'x' }, sections }).catch((e: Error) => e);
    const lines = String((err as Error).message).split('\n');
    expect(lines).toEqual([
      'environment GATEWAY_PORT: expected a whole number, got "x"',
      `${path}:3: gateway.port: ${lines[1]?.split(': ').slice(2).join(': ')}`,
      `${path}:4: api: unknown key; the sections are logLevel, poller, sinks, devices, plugins, gateway`,
    ]);
    expect(lines[1]).toMatch(/owner\.yaml:3: gateway\.port: /);
  });
});

describe('secrets that cannot be resolved', () => {
  it('are reported with the other problems, each with its line', async () => {
    const path = file(
      'refs.yaml',
      'database:\n  url: ${NO_SUCH_URL}\nserver:\n  auth:\n    adminPassword: file:./missing-secret\npoller:\n  workers: 0\n',
    );
    const err = (await readConfig(path, {}).catch((e: Error) => e)) as Error & { code: string };
    expect(err.message.split('\n')).toEqual([
      `${path}:2: database.url: environment variable NO_SUCH_URL is not set`,
      `${path}:5: server.auth.adminPassword: cannot read secret file ./missing-secret (ENOENT)`,
      expect.stringMatching(/refs\.yaml:7: poller\.workers: /),
    ]);
    expect(err.code).toBe('ISPM_CONFIG_INVALID');
    const only = file('refs-only.yaml', 'database:\n  url: ${NO_SUCH_URL}\n');
    await expect(readConfig(only, {})).rejects.toMatchObject({ code: 'ISPM_CONFIG_SECRET' });
  });
});

describe("the server's sections", () => {
  it('have their defaults without a file: both listeners on loopback, PGlite, no cluster', async () => {
    const { loaded } = await readConfig(undefined, {});
    expect(loaded.source).toBe('defaults');
    expect(loaded.config.api).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(loaded.config.metrics).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(loaded.config.database).toEqual({ dataDir: './.data/pglite' });
    expect(loaded.config.cluster).toEqual({ mode: 'none' });
    expect(loaded.config.poller.concurrency).toBe(100);
  });

  it('name the environment variable when an override is wrong', async () => {
    await expect(readConfig(undefined, { API_PORT: 'eighty' })).rejects.toThrow(
      'environment API_PORT: expected a whole number, got "eighty"',
    );
    await expect(readConfig(undefined, { CLUSTER: 'etcd' })).rejects.toThrow(
      /environment CLUSTER: cluster\.mode: /,
    );
  });

  it('resolve a secret in database.url and return it among the values to redact', async () => {
    const canary = 'CANARY-5b4a3c2d';
    const path = file('secret.yaml', 'database:\n  url: postgres://mon:${DB_PASSWORD}@127.0.0.1/ispm\n');
    const { loaded } = await readConfig(path, { DB_PASSWORD: canary });
    expect(loaded.config.database.url).toBe(`postgres://mon:${canary}@127.0.0.1/ispm`);
    expect(loaded.secrets).toContain(canary);
  });

  it('are read with their overrides: listeners, database (and its read replica), cluster', async () => {
    const path = file('server.yaml', 'api:\n  port: 8181\ndatabase:\n  dataDir: /tmp/x\n');
    const { loaded } = await readConfig(path, {
      METRICS_PORT: '9191',
      DATABASE_URL: 'postgres://u:pw-1234@127.0.0.1/db',
      DATABASE_READ_URL: 'postgres://u:pw-5678@127.0.0.2/db',
      CLUSTER: 'postgres',
    });
    expect(loaded.config.api).toEqual({ host: '127.0.0.1', port: 8181 });
    expect(loaded.config.metrics.port).toBe(9191);
    expect(loaded.config.database).toEqual({
      url: 'postgres://u:pw-1234@127.0.0.1/db',
      readUrl: 'postgres://u:pw-5678@127.0.0.2/db',
      dataDir: '/tmp/x',
    });
    expect(loaded.config.cluster.mode).toBe('postgres');
    expect(loaded.secrets).toEqual(expect.arrayContaining(['pw-1234', 'pw-5678']));
    expect(loaded.locate(['database', 'url'])).toBe('environment DATABASE_URL');
    expect(loaded.locate(['api', 'port'])).toBe(`${path}:2`);
  });

  it('report every problem at once: core sections, the server section with its lines, plugins and devices', async () => {
    const path = file(
      'many.yaml',
      [
        'poller:',
        '  concurrency: lots',
        'api:',
        '  port: -1',
        'server:',
        '  auth:',
        '    sessionTtlHours: -1',
        'plugins:',
        '  snmp:',
        '    nonsense: 1',
        '  alrets: {}',
        'devices:',
        '  - { id: r1, host: 127.0.0.1, driver: htp }',
        '  - { id: r2, host: 127.0.0.1, driver: snmp, snmp: { version: "4", community: x } }',
      ].join('\n'),
    );
    const message = await readConfig(path, { API_HOST: '' }).then(
      () => '',
      (e: Error) => e.message,
    );
    const lines = message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/many\.yaml:2: poller\.concurrency: /),
        expect.stringMatching(/many\.yaml:4: api\.port: /),
        expect.stringMatching(/many\.yaml:7: server\.auth\.sessionTtlHours: /),
        expect.stringMatching(/many\.yaml:\d+: plugins\.snmp: .*nonsense/),
        expect.stringMatching(
          /many\.yaml:11: plugins\.alrets: unknown plugin "alrets" \(did you mean "alerts"\?\)/,
        ),
        expect.stringMatching(/many\.yaml: devices\[0\]: device "r1": driver: no driver "htp" is registered/),
        expect.stringMatching(/many\.yaml: devices\[1\]: device "r2": snmp\.version: /),
      ]),
    );
    expect(lines).toHaveLength(7);
  });
});
