import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configSection,
  createJsonLogger,
  createMonitor,
  definePlugin,
  loadConfig,
  Redactor,
  redactingLogger,
  tokens,
} from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

async function file(text: string, name = 'config.yaml'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ispm-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A section of an application's own, registered as the server registers `api` or `database`. */
const sections = [
  configSection(
    'store',
    z
      .object({ url: z.string().optional(), port: z.number().int().min(0).max(65535).default(5000) })
      .strict()
      .prefault({}),
    [
      { env: 'STORE_URL', path: ['url'], type: 'string' },
      { env: 'STORE_PORT', path: ['port'], type: 'int' },
    ],
  ),
] as const;

describe('loadConfig', () => {
  it('applies defaults, then the file, then the environment', async () => {
    const path = await file('poller:\n  concurrency: 20\n  timeout: 5s\nstore:\n  port: 5001\n');
    const { config } = await loadConfig(path, {
      env: { POLLER_CONCURRENT: '50', STORE_URL: 'postgres://127.0.0.1/x' },
      sections,
    });
    expect(config.poller.concurrency).toBe(50);
    expect(config.poller.timeout).toBe('5s');
    expect(config.poller.interval).toBe('60s');
    expect(config.store).toEqual({ port: 5001, url: 'postgres://127.0.0.1/x' });
    expect(config.poller.workers).toBe(1);
  });

  it('works without a file', async () => {
    const { config, source, secrets } = await loadConfig(undefined, {
      env: { STORE_URL: 'postgres://u:pw1234@db/x' },
      sections,
    });
    expect(source).toBe('defaults');
    expect(config.store).toEqual({ url: 'postgres://u:pw1234@db/x', port: 5000 });
    expect(secrets).toEqual(['pw1234']);
  });

  it("knows only core's sections and the ones registered: the server's are the server's", async () => {
    const { config } = await loadConfig(undefined, { env: { API_PORT: '8081', DATABASE_URL: 'x' } });
    expect(Object.keys(config).sort()).toEqual(['devices', 'logLevel', 'plugins', 'poller', 'sinks']);
    const path = await file('api:\n  port: 8081\n');
    await expect(loadConfig(path, { env: {} })).rejects.toThrow(
      /config\.yaml:1: api: unknown key; the sections are logLevel, poller, sinks, devices, plugins$/,
    );
  });

  it('names the file, the line, the path and what was expected', async () => {
    const path = await file('logLevel: info\npoller:\n  interval: 60s\n  concurrency: lots\n');
    await expect(loadConfig(path, { env: {} })).rejects.toThrow(
      new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: poller.concurrency: .*number`),
    );
  });

  it('reports unknown keys and bad durations with their lines', async () => {
    const path = await file('poller:\n  timeout: ten seconds\nnonsense: 1\n');
    const err = await loadConfig(path, { env: {} }).catch((e: Error) => e);
    expect(String(err)).toMatch(/config\.yaml:2: poller\.timeout: invalid duration "ten seconds"/);
    expect(String(err)).toMatch(/nonsense/);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const path = await file('poller:\n  concurrency: [1, 2\n');
    await expect(loadConfig(path, { env: {} })).rejects.toThrow(/config\.yaml:\d+:\d+: invalid YAML/);
  });

  it('names the environment variable when an override is wrong', async () => {
    await expect(loadConfig(undefined, { env: { STORE_PORT: 'eighty' }, sections })).rejects.toThrow(
      'environment STORE_PORT: expected a whole number, got "eighty"',
    );
    await expect(loadConfig(undefined, { env: { LOG_LEVEL: 'loud' } })).rejects.toThrow(
      /environment LOG_LEVEL: logLevel/,
    );
  });

  it('checks plugin sections with their own schema and line numbers', async () => {
    const path = await file('plugins:\n  snmp:\n    maxRepetitions: -3\n');
    const schema = z.object({ maxRepetitions: z.number().int().positive() });
    await expect(loadConfig(path, { env: {}, pluginSchemas: { snmp: schema } })).rejects.toThrow(
      /config\.yaml:3: plugins\.snmp\.maxRepetitions/,
    );
  });

  it('resolves ${ENV} and file: secrets and reports a missing one by path', async () => {
    const secretFile = await file('s3cr3t-from-file\n', 'secret.txt');
    const path = await file(
      `devices:\n  - id: r1\n    host: 10.0.0.1\n    driver: snmp\n    snmp:\n      community: \${SNMP_COMMUNITY}\n      authKey: file:${secretFile}\n`,
    );
    const { config, secrets } = await loadConfig(path, { env: { SNMP_COMMUNITY: 'canary-community-77' } });
    const snmp = (config.devices[0] as { snmp: Record<string, string> }).snmp;
    expect(snmp.community).toBe('canary-community-77');
    expect(snmp.authKey).toBe('s3cr3t-from-file');
    expect(secrets).toEqual(expect.arrayContaining(['canary-community-77', 's3cr3t-from-file']));
    await expect(loadConfig(path, { env: {} })).rejects.toThrow(
      /:6: devices\.0\.snmp\.community: environment variable SNMP_COMMUNITY is not set/,
    );
  });

  it('never lets a secret reach the logs (canary)', async () => {
    const canary = 'CANARY-9f8e7d6c';
    const path = await file(
      `store:\n  url: postgres://mon:\${DB_PASSWORD}@127.0.0.1/ispm\nplugins:\n  x:\n    token: \${DB_PASSWORD}\n`,
    );
    const { config, secrets } = await loadConfig(path, { env: { DB_PASSWORD: canary }, sections });
    const lines: string[] = [];
    const redactor = new Redactor();
    for (const s of secrets) redactor.add(s);
    const logger = createJsonLogger({ level: 'debug', redactor, write: (l) => lines.push(l) });
    const leaky = definePlugin({
      name: 'leaky',
      version: '1.0.0',
      setup(ctx) {
        ctx.logger.info(`connecting to ${config.store.url}`, {
          options: config.plugins.x,
          password: 'literal-pw',
        });
        ctx.logger.error('failed', { error: new Error(`auth failed for ${canary}`) });
        ctx.provide(tokens.Driver, { kind: 'leaky', poll: async () => ({ samples: [] }) });
      },
    });
    const monitor = await createMonitor({ plugins: [leaky()], logger, secrets, clock: new FakeClock() });
    await monitor.stop();
    const text = lines.join('\n');
    expect(text).toContain('connecting to postgres://mon:[REDACTED]@127.0.0.1/ispm');
    expect(text).not.toContain(canary);
    expect(text).not.toContain('literal-pw');
  });

  it('learns the credentials of a device added at run time and masks them by value', async () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (l) => lines.push(l) });
    let log: ((m: string) => void) | undefined;
    const chatty = definePlugin({
      name: 'chatty',
      version: '1.0.0',
      setup(ctx) {
        log = (m) => ctx.logger.warn(m);
        ctx.provide(tokens.Driver, { kind: 'chatty', poll: async () => ({ samples: [] }) });
      },
    });
    // A redacting wrapper is what createMonitor builds around a given logger.
    const monitor = await createMonitor({ plugins: [chatty()], logger, clock: new FakeClock() });
    await monitor.devices.add({
      id: 'api-1',
      host: '127.0.0.1',
      driver: 'chatty',
      chatty: {
        community: 'api-canary-community',
        nested: { privKey: 'api-canary-privkey' },
        note: 'public',
      },
    });
    log?.(
      'SNMP v2c to 127.0.0.1 with community api-canary-community failed; key api-canary-privkey; note public',
    );
    await monitor.stop();
    const text = lines.join('\n');
    expect(text).not.toContain('api-canary');
    expect(text).toContain('with community [REDACTED] failed; key [REDACTED]; note public');
  });

  it('masks a secret holding quotes and backslashes, in messages, fields and errors, both loggers', () => {
    const secret = 'p"a\\ss/wörd';
    const redactor = new Redactor();
    redactor.add(secret);
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', redactor, write: (l) => lines.push(l) });
    logger.warn(`login as admin:${secret} failed`, {
      url: `https://admin:${secret}@127.0.0.1`,
      nested: { list: [secret] },
    });
    logger.child({ ctx: secret }).error('boom', { error: new Error(`bad ${secret}`) });
    const inner: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const sink = {
      debug: (msg: string, fields?: Record<string, unknown>) => void inner.push({ msg, fields }),
      info: (msg: string, fields?: Record<string, unknown>) => void inner.push({ msg, fields }),
      warn: (msg: string, fields?: Record<string, unknown>) => void inner.push({ msg, fields }),
      error: (msg: string, fields?: Record<string, unknown>) => void inner.push({ msg, fields }),
      child: () => sink,
    };
    redactingLogger(sink, redactor).warn(`x ${secret}`, { a: `y${secret}z` });
    const all = lines.join('\n') + JSON.stringify(inner);
    expect(all).not.toContain('wörd');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['login as admin:[REDACTED] failed', 'boom']);
    expect(JSON.parse(lines[0] as string).url).toBe('https://admin:[REDACTED]@127.0.0.1');
    expect(inner[0]).toEqual({ msg: 'x [REDACTED]', fields: { a: 'y[REDACTED]z' } });
  });

  it('writes a field that refers back to itself as [Circular] and never throws, both loggers', () => {
    const redactor = new Redactor();
    redactor.add('s3cret-value');
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', redactor, write: (l) => lines.push(l) });
    const reply: Record<string, unknown> = { statusCode: 200 };
    const socket = { reply, note: 'holds s3cret-value' };
    reply.socket = socket;
    const shared = { n: 1 };
    logger.debug('request completed', { res: reply, twice: [shared, shared] });
    const inner: Array<Record<string, unknown> | undefined> = [];
    const sink = {
      debug: (_m: string, f?: Record<string, unknown>) => void inner.push(f),
      info: (_m: string, f?: Record<string, unknown>) => void inner.push(f),
      warn: (_m: string, f?: Record<string, unknown>) => void inner.push(f),
      error: (_m: string, f?: Record<string, unknown>) => void inner.push(f),
      child: () => sink,
    };
    expect(() => redactingLogger(sink, redactor).info('x', { res: reply })).not.toThrow();
    const record = JSON.parse(lines[0] as string);
    expect(record.res).toEqual({
      statusCode: 200,
      socket: { reply: '[Circular]', note: 'holds [REDACTED]' },
    });
    // The same object twice, side by side, is not a cycle.
    expect(record.twice).toEqual([{ n: 1 }, { n: 1 }]);
    expect(inner[0]).toEqual({
      res: { statusCode: 200, socket: { reply: '[Circular]', note: 'holds [REDACTED]' } },
    });
  });
});

describe('durationMs', () => {
  it('parses durations to milliseconds, defaults, and names a bad one', async () => {
    const { durationMs, durationMsOr } = await import('@ispmonitor/core');
    const schema = z.object({ timeout: durationMsOr('10s'), every: durationMs() });
    expect(schema.parse({ every: '1m30s' })).toEqual({ timeout: 10_000, every: 90_000 });
    expect(schema.parse({ timeout: 250, every: 5 })).toEqual({ timeout: 250, every: 5 });
    const bad = schema.safeParse({ every: 'soon' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['every']);
    expect(bad.error?.issues[0]?.message).toMatch(/invalid duration "soon"/);
  });
});
