import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, loadConfig, secret, tokens } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assemble, pluginSchemas, readConfig } from '../../src/assemble.js';
import { serverSections } from '../../src/config-sections.js';
import { configFindings, deviceFindings, summarise } from '../../src/system/security-findings.js';
import { type SecurityServer, startServer } from './support.js';

/** Drivers named like the real ones, taking any settings: the findings read settings, not drivers. */
const lookalikes = definePlugin({
  name: 'lookalike-drivers',
  version: '0.0.0',
  setup(ctx) {
    for (const kind of ['snmp', 'mikrotik']) {
      ctx.provide(tokens.Driver, {
        kind,
        settings: z.record(z.string(), z.unknown()),
        poll: async () => ({ samples: [] }),
      });
    }
  },
});

const v3 = {
  version: '3',
  username: 'u',
  authProtocol: 'sha256',
  authKey: 'k'.repeat(12),
  privProtocol: 'aes',
  privKey: 'p'.repeat(12),
};
let s: SecurityServer;

beforeAll(async () => {
  s = await startServer({
    plugins: [lookalikes()],
    server: { auth: { adminPassword: 'ispmonitor-demo' } },
    file: {
      metrics: { host: '0.0.0.0' },
      plugins: {
        alerts: {
          receivers: [
            {
              name: 'noc',
              email: [{ host: 'smtp.example', auth: { user: 'a', pass: 'b' }, requireTls: false }],
            },
          ],
        },
      },
    },
    devices: [
      { id: 'cpe-v2c', host: '127.0.0.2', driver: 'snmp', snmp: { version: '2c', community: 'c0mmunity' } },
      { id: 'core-md5', host: '127.0.0.3', driver: 'snmp', snmp: { ...v3, authProtocol: 'md5' } },
      {
        id: 'core-anp',
        host: '127.0.0.4',
        driver: 'snmp',
        snmp: { ...v3, privProtocol: undefined, privKey: undefined },
      },
      { id: 'core-ok', host: '127.0.0.5', driver: 'snmp', snmp: v3 },
      { id: 'bng-plain', host: '127.0.0.6', driver: 'mikrotik', mikrotik: { username: 'm', tls: false } },
      { id: 'bng-ssl', host: '127.0.0.7', driver: 'mikrotik', mikrotik: { username: 'm' } },
    ] as never,
  });
  await s.ctx.security.usersChecked;
});
afterAll(() => s.close());

const warnings = () => s.logger.records.filter((r) => r.level === 'warn' && r.msg.startsWith('security:'));

describe('security findings (issue 21, finding 13)', () => {
  it('logs each weak setting once at start, naming what it applies to', () => {
    const byCode = Object.fromEntries(warnings().map((r) => [r.fields.code, r.fields.subjects]));
    expect(byCode).toEqual({
      SNMP_COMMUNITY: ['cpe-v2c'],
      SNMP_MD5: ['core-md5'],
      SNMP_AUTH_NO_PRIV: ['core-anp'],
      ROUTEROS_PLAIN_API: ['bng-plain'],
      SMTP_CLEARTEXT_LOGIN: ['receiver noc email[0]'],
      METRICS_UNAUTHENTICATED: ['metrics.host 0.0.0.0'],
      DEFAULT_CREDENTIALS: ['user admin'],
    });
    // The config's bootstrap password at start, then (checked in the background) the stored
    // admin user who still has it.
    expect(
      warnings()
        .filter((r) => r.fields.code === 'DEFAULT_CREDENTIALS')
        .map((r) => r.fields.subjects),
    ).toEqual([['server.auth.adminPassword'], ['user admin']]);
    expect(s.logger.text()).not.toContain('c0mmunity');
  });

  it('lists them in the security section of diagnostics', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/api/v1/diagnostics', headers: s.admin });
    expect(res.statusCode).toBe(200);
    const security = res.json().security as Array<{
      code: string;
      severity: string;
      count: number;
      subjects: string[];
    }>;
    expect(security.map((f) => f.code).sort()).toEqual(
      [
        'DEFAULT_CREDENTIALS',
        'METRICS_UNAUTHENTICATED',
        'ROUTEROS_PLAIN_API',
        'SMTP_CLEARTEXT_LOGIN',
        'SNMP_AUTH_NO_PRIV',
        'SNMP_COMMUNITY',
        'SNMP_MD5',
      ].sort(),
    );
    expect(security.find((f) => f.code === 'DEFAULT_CREDENTIALS')?.subjects).toEqual([
      'server.auth.adminPassword',
      'user admin',
    ]);
    expect(res.body).not.toContain('c0mmunity');
  });

  it('warns when a device with a weak setting is added or changed to one, once', async () => {
    const before = warnings().length;
    const add = await s.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: s.admin,
      payload: {
        id: 'api-v1',
        host: '127.0.0.8',
        driver: 'snmp',
        snmp: { version: '1', community: 'x-secret-x' },
      },
    });
    expect(add.statusCode).toBe(201);
    const rename = await s.app.inject({
      method: 'PATCH',
      url: '/api/v1/routers/api-v1',
      headers: s.admin,
      payload: { name: 'renamed' },
    });
    expect(rename.statusCode).toBe(200);
    expect(
      warnings()
        .slice(before)
        .map((r) => [r.fields.code, r.fields.subjects]),
    ).toEqual([['SNMP_COMMUNITY', ['api-v1']]]);
    const diag = await s.app.inject({ method: 'GET', url: '/api/v1/diagnostics', headers: s.admin });
    expect(diag.json().security.find((f: { code: string }) => f.code === 'SNMP_COMMUNITY').subjects).toEqual([
      'cpe-v2c',
      'api-v1',
    ]);
  });

  it('reports nothing for a v3 authPriv device, API-SSL and a loopback metrics port', () => {
    expect(deviceFindings({ id: 'a', host: 'h', driver: 'snmp', snmp: v3 } as never)).toEqual([]);
    expect(
      deviceFindings({ id: 'b', host: 'h', driver: 'mikrotik', mikrotik: { tls: true } } as never),
    ).toEqual([]);
    const findings = configFindings({ metrics: { host: '127.0.0.1' }, plugins: {} }, {
      auth: {},
      metrics: { token: 't'.repeat(16) },
    } as never);
    expect(findings).toEqual([]);
  });
});

describe('address policy of device.host through the API and the config (finding 13)', () => {
  it('refuses a metadata address from the API with a 400 naming the device and the rule', async () => {
    for (const host of ['169.254.169.254', '2852039166', '[fd00:ec2::254]', 'metadata.google.internal']) {
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/routers',
        headers: s.admin,
        payload: { id: 'imds', host, driver: 'snmp', snmp: v3 },
      });
      expect(res.statusCode, host).toBe(400);
      expect(res.json().message, host).toMatch(/device "imds": host: .*refused by the address policy/);
    }
    const move = await s.app.inject({
      method: 'PATCH',
      url: '/api/v1/routers/api-v1',
      headers: s.admin,
      payload: { host: 'fe80::1', snmp: { version: '1', community: 'x-secret-x' } },
    });
    expect(move.statusCode).toBe(400);
    expect(move.json().message).toContain('fe80::/10 (IPv6 link-local)');
    expect(s.monitor.devices.get('imds')).toBeUndefined();
  });

  it('reads server.devices.addressPolicy for config devices and rejects bad CIDRs with their path', async () => {
    const dir = tmpdir();
    const file = join(dir, `ispm-policy-${process.pid}.yaml`);
    writeFileSync(
      file,
      [
        'server:',
        '  devices:',
        '    addressPolicy:',
        '      deny: [10.66.0.0/16]',
        '      allow: [169.254.0.0/16]',
        'devices:',
        '  - { id: lab-ll, host: 169.254.7.7, driver: lab }',
        '  - { id: lab-denied, host: 10.66.1.1, driver: lab }',
      ].join('\n'),
    );
    // `config validate` (readConfig) names the file and the device; the monitor checks again.
    await expect(readConfig(file, {})).rejects.toThrow(
      /ispm-policy-\d+\.yaml: devices\[1\]: device "lab-denied": host: 10\.66\.1\.1 is in 10\.66\.0\.0\/16 \(on the deny list\)/,
    );
    const { loaded } = await readConfig(file, {}).catch(() => ({ loaded: undefined }));
    expect(loaded).toBeUndefined();
    const config = (await loadConfig(file, { env: {}, sections: serverSections })).config;
    await expect(assemble(config, [], { storage: false })).rejects.toThrow(
      /device "lab-denied": host: 10\.66\.1\.1 is in 10\.66\.0\.0\/16 \(on the deny list\)/,
    );
    writeFileSync(file, 'server:\n  devices:\n    addressPolicy:\n      deny: [10.0.0.0/40]\n');
    await expect(readConfig(file, {})).rejects.toThrow(
      /server\.devices\.addressPolicy: deny: "10\.0\.0\.0\/40"/,
    );
  });

  it('sees weak trap receiver settings', () => {
    const findings = configFindings(
      {
        metrics: { host: '127.0.0.1' },
        plugins: {
          snmp: {
            traps: {
              community: 'traps-cmty',
              acceptUnknownSources: true,
              users: [
                { username: 'old', authProtocol: 'md5', authKey: 'k'.repeat(8) },
                {
                  username: 'good',
                  authProtocol: 'sha256',
                  authKey: 'k'.repeat(8),
                  privProtocol: 'aes',
                  privKey: 'p'.repeat(8),
                },
              ],
            },
          },
        },
      },
      { auth: {}, metrics: { token: 't'.repeat(16) } } as never,
    );
    expect(findings.map((f) => `${f.code} ${f.subject}`)).toEqual([
      'TRAP_COMMUNITY plugins.snmp.traps.community',
      'TRAP_UNKNOWN_SOURCES plugins.snmp.traps',
      'SNMP_MD5 trap user old',
      'SNMP_AUTH_NO_PRIV trap user old',
    ]);
  });

  it('collects secrets of plugin options by their schema, whatever the key', async () => {
    const file = join(tmpdir(), `ispm-secret-opts-${process.pid}.yaml`);
    writeFileSync(file, 'plugins:\n  vaultish: { phrase: plugin-option-phrase, label: visible }\n');
    pluginSchemas.vaultish = z.object({ phrase: secret(z.string()), label: z.string() });
    try {
      const { loaded } = await readConfig(file, {});
      expect(loaded.secrets).toContain('plugin-option-phrase');
      expect(loaded.secrets).not.toContain('visible');
    } finally {
      delete pluginSchemas.vaultish;
    }
  });

  it('offline diagnostics see the config file findings', async () => {
    const file = join(tmpdir(), `ispm-offline-${process.pid}.yaml`);
    writeFileSync(
      file,
      'metrics: { host: 0.0.0.0 }\nserver: { metrics: { anonymous: true } }\ndevices:\n  - { id: r1, host: 127.0.0.9, driver: snmp, snmp: { version: 2c, community: abcd } }\n',
    );
    const { loaded, server } = await readConfig(file, {});
    const codes = summarise([
      ...configFindings(loaded.config, server),
      ...loaded.config.devices.flatMap((d) => deviceFindings(d as never)),
    ]).map((f) => f.code);
    expect(codes).toEqual(['METRICS_UNAUTHENTICATED', 'SNMP_COMMUNITY']);
  });
});
