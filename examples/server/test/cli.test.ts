import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useCliFleet } from './support/cli.js';

const env = useCliFleet('ispm-cli-', { count: 1, interfaces: 4, community: 'clitest' });
const { dir } = env;

describe('ispmonitor CLI (real process)', () => {
  it('prints help for every command with exit 0, and usage errors exit 2', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['demo', '--help'],
      ['poll', '--help'],
      ['discover', '--help'],
      ['config', 'validate', '--help'],
      ['healthcheck', 'db', '--help'],
      ['migrate', '--help'],
      ['diagnostics', '--help'],
      ['license', 'sign', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Usage: ispmonitor/);
    }
    expect((await runCli(['--no-such-flag'])).code).toBe(2);
    expect((await runCli(['poll'])).code).toBe(2);
    // Twelve process starts, each loading the whole server: minutes on a loaded machine.
  }, 120_000);

  it('config validate: 0 for a good file, 2 with file, line and path for a bad one', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'poller:\n  concurrency: 50\ndevices:\n  - id: r1\n    host: 127.0.0.1\n    driver: snmp\n    snmp: { version: 2c, community: x }\n',
    );
    const ok = await runCli(['config', 'validate', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/valid \(1 devices\)/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'poller:\n  concurrency: lots\nserver:\n  auth:\n    sessionTtlHours: -1\n');
    const r = await runCli(['config', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2: poller\.concurrency/);
    const srv = join(dir, 'bad-server.yaml');
    writeFileSync(srv, 'server:\n  auth:\n    sessionTtlHours: -1\n');
    const r2 = await runCli(['config', 'validate', srv]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/server\.auth\.sessionTtlHours/);
  });

  it('poll <host> prints what would be collected from a simulated router, and exits 1 when nothing answers', async () => {
    const d = env.fleet.devices[0]!;
    const r = await runCli(['poll', d.host, '--port', String(d.port), '--community', 'clitest']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/samples: \d+ in \d+ metrics/);
    expect(r.stdout).toMatch(/interface_in_octets_total/);
    expect(r.stdout).toMatch(/facts: interfaces \d+/);
    const wrong = await runCli([
      'poll',
      d.host,
      '--port',
      String(d.port),
      '--community',
      'wrong',
      '--settings',
      '{"timeout":"300ms","retries":0}',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/ERROR/);
    expect(`${wrong.stdout}${wrong.stderr}`).not.toContain('clitest');
  });

  it('poll <id> treats a config device as one: its CA file path is read (an address given on the command line may not name a file)', async () => {
    const notPem = join(dir, 'not-a-ca.txt');
    writeFileSync(notPem, 'hello\n');
    const cfg = join(dir, 'ca.yaml');
    writeFileSync(
      cfg,
      `devices:\n  - id: r-ca\n    host: 127.0.0.1\n    port: 1\n    driver: mikrotik\n    mikrotik: { username: api, tls: true, ca: ${notPem} }\n`,
    );
    const configured = await runCli(['poll', 'r-ca', '-c', cfg]);
    expect(configured.code).toBe(1);
    const out = `${configured.stdout}${configured.stderr}`;
    expect(out).toMatch(/the CA file .*PEM/);
    expect(out).not.toMatch(/only devices of the config file/);
    const adHoc = await runCli([
      'poll',
      '127.0.0.1',
      '--driver',
      'mikrotik',
      '--port',
      '1',
      '--settings',
      JSON.stringify({ username: 'api', tls: true, ca: notPem }),
    ]);
    expect(adHoc.code).toBe(1);
    expect(`${adHoc.stdout}${adHoc.stderr}`).toMatch(/only devices of the config file/);
  }, 120_000);

  it('discover <cidr> finds the simulated router on loopback', async () => {
    const d = env.fleet.devices[0]!;
    const r = await runCli([
      'discover',
      `${d.host}/32`,
      '--port',
      String(d.port),
      '--community',
      'clitest',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 answered/);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ host: d.host, driver: 'snmp' });
    expect((await runCli(['discover', '10.0.0.0/8'])).code).toBe(2);
  });

  it('license keygen, sign and verify round-trip; a tampered licence fails', async () => {
    const priv = join(dir, 'k.pem');
    const pub = join(dir, 'k.pub');
    const lic = join(dir, 'l.json');
    expect((await runCli(['license', 'keygen', '--private', priv, '--public', pub])).code).toBe(0);
    expect(
      (
        await runCli([
          'license',
          'sign',
          '--key',
          priv,
          '--licensee',
          'Cedar',
          '--routers',
          '5',
          '--days',
          '30',
          '-o',
          lic,
        ])
      ).code,
    ).toBe(0);
    const v = await runCli(['license', 'verify', lic, '--public-key', pub]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ licensee: 'Cedar', maxRouters: 5 });
    writeFileSync(
      lic,
      (await import('node:fs')).readFileSync(lic, 'utf8').replace(/"signature": "./, '"signature": "A'),
    );
    expect((await runCli(['license', 'verify', lic, '--public-key', pub])).code).toBe(1);
  });

  it('migrate and healthcheck db against an embedded database folder', async () => {
    const cfg = join(dir, 'db.yaml');
    writeFileSync(cfg, `database:\n  dataDir: ${join(dir, 'pglite')}\n`);
    const before = await runCli(['healthcheck', 'db', '-c', cfg]);
    expect(before.code).toBe(1);
    const m = await runCli(['migrate', '-c', cfg]);
    expect(m.code, m.stderr).toBe(0);
    const after = await runCli(['healthcheck', 'db', '-c', cfg]);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true });
  }, 60_000);

  it('diagnostics works offline and never prints secrets from the config', async () => {
    const cfg = join(dir, 'diag.yaml');
    writeFileSync(
      cfg,
      `database:\n  dataDir: ${join(dir, 'pglite-diag')}\nplugins:\n  snmp: {}\nserver:\n  auth:\n    adminPassword: hunter2-very-secret\n`,
    );
    const r = await runCli(['diagnostics', '-c', cfg], {
      DATABASE_URL: 'postgres://ispm:s3cr3t-pass@127.0.0.1:1/x',
      DATABASE_READ_URL: 'postgres://ispm:r3pl1ca-pass@127.0.0.2:1/x',
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.versions.server).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.config.database).toMatch(/:\*\*\*@/);
    expect(report.config.readReplica).toBe('postgres://ispm:***@127.0.0.2:1/x');
    expect(report.database.ok).toBe(false);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t-pass');
    expect(r.stdout + r.stderr).not.toContain('r3pl1ca-pass');
    expect(r.stdout + r.stderr).not.toContain('hunter2-very-secret');
  }, 60_000);
});
