import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SnmpFleet, startSnmpFleet } from '@ispmonitor/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { assemble, readConfig } from '../src/assemble.js';
import { generateLicenseKeys, signLicense } from '../src/license/manager.js';
import { type RunningServer, runServer } from '../src/run-server.js';
import { parseServerConfig } from '../src/server-config.js';
import { ROOT } from './support/cli.js';
import {
  prometheusMissing,
  promtool,
  queryUntil,
  type RunningPrometheus,
  startPrometheus,
} from './support/prometheus.js';

const missing = prometheusMissing();
const DEPLOY = join(ROOT, 'deploy');
const KEY = 'ispm_prometheus_test_key_0123456789abcdefghijkl';
const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

/** Every PromQL expression of the dashboards, with Grafana's variables filled in. */
function dashboardExprs(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const dir = join(DEPLOY, 'grafana', 'dashboards');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        const expr = String(t.expr).replaceAll('$__rate_interval', '30s').replaceAll('$device', '.*');
        out.push({ where: `${file} › ${p.title}`, expr });
      }
    }
  }
  return out;
}

/** Rule expressions without their final threshold: the part that must return data. */
function ruleExprs(): Array<{ where: string; expr: string }> {
  const rules = parse(readFileSync(join(DEPLOY, 'prometheus', 'rules.yml'), 'utf8'));
  return rules.groups.flatMap((g: { rules: Array<{ alert: string; expr: string }> }) =>
    g.rules.map((r) => ({
      where: `rules.yml › ${r.alert}`,
      expr: r.expr
        .replace(/\s*(>=|<=|==|!=|>|<)\s*[\d.]+\s*$/, '')
        .replaceAll('[5m]', '[30s]')
        .replaceAll('[10m]', '[30s]'),
    })),
  );
}

/** The scrape configs shipped: one process, and API + poller replicas (Kubernetes, compose). */
const scrapeConfigs = () =>
  readdirSync(join(DEPLOY, 'prometheus')).filter((f) => /^prometheus.*\.yml$/.test(f));

/**
 * The compose config (API and poller replicas found by DNS) aimed at one running server: each
 * DNS lookup becomes that server's address, which serves its own metrics and its whole device
 * metrics as a poller does.
 */
function multiPollerConfig(target: string): string {
  const cfg = parse(readFileSync(join(DEPLOY, 'prometheus', 'prometheus-compose.yml'), 'utf8'));
  cfg.global = { scrape_interval: '1s', evaluation_interval: '1s' };
  for (const job of cfg.scrape_configs) {
    expect(job.dns_sd_configs, job.job_name).toBeDefined();
    delete job.dns_sd_configs;
    job.static_configs = [{ targets: [target] }];
    if (job.scrape_timeout) job.scrape_timeout = '1s';
  }
  return stringify(cfg);
}

describe.skipIf(missing)(
  `Prometheus against a running server${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ispm-promtest-'));
    let fleet: SnmpFleet;
    let server: RunningServer;
    let prom: RunningPrometheus;
    let multi: RunningPrometheus;
    let traffic: NodeJS.Timeout;

    beforeAll(async () => {
      fleet = await startSnmpFleet({
        count: 3,
        interfaces: 2,
        community: 'promtest',
        profile: ['mikrotik', 'cisco', 'linux'],
      });
      const keys = generateLicenseKeys();
      const licence = join(dir, 'licence.json');
      const in20days = new Date(Date.now() + 20 * 86_400_000).toISOString();
      writeFileSync(
        licence,
        signLicense(
          {
            id: 'T',
            licensee: 'Test',
            issuedAt: new Date().toISOString(),
            expiresAt: in20days,
            maxRouters: 10,
          },
          keys.privateKey,
        ),
      );
      const { config, secrets } = (await readConfig(undefined, { LOG_LEVEL: 'warn' })).loaded;
      config.api = { host: '127.0.0.1', port: 0 };
      config.metrics = { host: '127.0.0.1', port: 0 };
      config.poller = { ...config.poller, interval: '1s' };
      // A rule that fires at once, so ispmonitor_alerts_active has a series to show.
      config.plugins = {
        alerts: {
          evaluationInterval: '1s',
          rules: [
            { name: 'TestUp', metric: 'device_uptime_seconds', op: '>', threshold: 0, severity: 'info' },
          ],
        },
      };
      config.devices = fleet.devices.map((d) => ({
        id: d.id,
        host: d.host,
        port: d.port,
        driver: 'snmp',
        interval: '1s',
        snmp: { version: '2c', community: 'promtest' },
      }));
      const serverConfig = parseServerConfig(
        {
          auth: { adminApiKey: KEY },
          license: { path: licence, publicKey: keys.publicKey },
          metrics: { token: METRICS_TOKEN },
        },
        {},
      );
      const monitor = await assemble(config, secrets, { memoryDb: true });
      server = await runServer(monitor, config, serverConfig, { print: () => {} });
      const api = server.urls.api;
      traffic = setInterval(() => {
        void fetch(`${api}/api/v1/routers`, { headers: { authorization: `Bearer ${KEY}` } }).catch(() => {});
      }, 200);

      const target = new URL(server.urls.metrics).host;
      // The server wants its metrics token: Prometheus reads it from the file beside its config,
      // as the replica configs ship; the one-process config gets the same lines here.
      writeFileSync(join(dir, 'ispmonitor-metrics-token'), `${METRICS_TOKEN}\n`);
      const single = parse(
        readFileSync(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')
          .replaceAll('ispmonitor:9090', target)
          .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
          .replace(/evaluation_interval: \S+/, 'evaluation_interval: 1s')
          .replace(/refresh_interval: \S+/, 'refresh_interval: 1s'),
      );
      // `type` explicitly: inside http_sd_configs this Prometheus (2.42) sends the bare token without it.
      const authorization = () => ({
        type: 'Bearer',
        credentials_file: join(dir, 'ispmonitor-metrics-token'),
      });
      for (const job of single.scrape_configs) {
        job.authorization = authorization();
        for (const sd of job.http_sd_configs ?? []) sd.authorization = authorization();
      }
      const promConfig = stringify(single);
      writeFileSync(join(dir, 'prometheus.yml'), promConfig);
      writeFileSync(join(dir, 'rules.yml'), readFileSync(join(DEPLOY, 'prometheus', 'rules.yml')));
      prom = await startPrometheus(join(dir, 'prometheus.yml'));
      writeFileSync(join(dir, 'multi.yml'), multiPollerConfig(target));
      multi = await startPrometheus(join(dir, 'multi.yml'));
    }, 120_000);

    afterAll(async () => {
      clearInterval(traffic);
      await prom?.stop();
      await multi?.stop();
      await server?.shutdown();
      await fleet?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('promtool accepts the rules and every scrape config, as shipped and as the tests run them', () => {
      const rules = promtool(['check', 'rules', join(DEPLOY, 'prometheus', 'rules.yml')]);
      expect(rules.code, rules.output).toBe(0);
      expect(scrapeConfigs().sort()).toEqual([
        'prometheus-compose.yml',
        'prometheus-k8s.yml',
        'prometheus.yml',
      ]);
      // The shipped files, each beside a token file as the operator provides it.
      const shipped = mkdtempSync(join(dir, 'shipped-'));
      writeFileSync(join(shipped, 'ispmonitor-metrics-token'), `${METRICS_TOKEN}\n`);
      writeFileSync(join(shipped, 'rules.yml'), readFileSync(join(DEPLOY, 'prometheus', 'rules.yml')));
      for (const f of scrapeConfigs())
        writeFileSync(join(shipped, f), readFileSync(join(DEPLOY, 'prometheus', f)));
      for (const file of [
        ...scrapeConfigs().map((f) => join(shipped, f)),
        join(dir, 'prometheus.yml'),
        join(dir, 'multi.yml'),
      ]) {
        const cfg = promtool(['check', 'config', file]);
        expect(cfg.code, `${file}\n${cfg.output}`).toBe(0);
      }
    });

    it('the metrics port answers 401 without the token, 200 with it', async () => {
      for (const path of ['/metrics', '/metrics/devices', '/sd/devices']) {
        expect((await fetch(`${server.urls.metrics}${path}`)).status, path).toBe(401);
        const ok = await fetch(`${server.urls.metrics}${path}`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        });
        expect(ok.status, path).toBe(200);
      }
    });

    it('the multi-poller way scrapes whole /metrics/devices: every device once, named by its device label', async () => {
      const up = await queryUntil(multi, 'device_up{job="ispmonitor-devices"}', 3);
      expect(up.map((r) => r.metric.device).sort()).toEqual(fleet.devices.map((d) => d.id).sort());
      // The poller's address is dropped from device series (one series per device across moves).
      for (const r of up) expect(r.metric.instance).toBeUndefined();
      expect(await multi.query('up{job="ispmonitor-devices"} == 1')).toHaveLength(1);
    }, 40_000);

    it('discovers every device through /sd/devices and scrapes each one by its id', async () => {
      const up = await queryUntil(prom, 'up{job="ispmonitor-devices"} == 1', 3);
      expect(up.map((r) => r.metric.instance).sort()).toEqual(fleet.devices.map((d) => d.id).sort());
      const octets = await prom.query('interface_in_octets_total{job="ispmonitor-devices"}');
      expect(new Set(octets.map((r) => r.metric.device))).toEqual(new Set(fleet.devices.map((d) => d.id)));
    }, 40_000);

    it('returns data for every PromQL expression of the dashboards and rules, with either scrape config (no metric name typos)', async () => {
      const exprs = [...dashboardExprs(), ...ruleExprs()];
      expect(exprs.length).toBeGreaterThan(30);
      const both = [
        ...exprs.map((e) => ({ ...e, on: prom })),
        ...exprs.map((e) => ({ ...e, where: `${e.where} (multi-poller config)`, on: multi })),
      ];
      const empty = new Map<string, string>();
      const until = Date.now() + 45_000;
      let pending = both;
      while (pending.length && Date.now() < until) {
        const next = [];
        for (const e of pending) {
          const result = await e.on.query(e.expr);
          if (result.length === 0) next.push(e);
        }
        pending = next;
        if (pending.length) await new Promise((r) => setTimeout(r, 1000));
      }
      for (const e of pending) empty.set(e.where, e.expr);
      expect(Object.fromEntries(empty)).toEqual({});
    }, 60_000);
  },
);
