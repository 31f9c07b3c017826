import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readConfig } from '../src/assemble.js';
import { buildApp } from '../src/http/app.js';
import { KNOWN_ENV, parseServerConfig, type ServerRole } from '../src/server-config.js';
import { ROOT } from './support/cli.js';
import { type Harness, startHarness } from './support/harness.js';

const DEPLOY = join(ROOT, 'deploy');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');
const k8s = Object.fromEntries(
  readdirSync(join(DEPLOY, 'k8s')).map((f) => [f, parseAllDocuments(read(`k8s/${f}`)).map((d) => d.toJS())]),
) as Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML of Kubernetes objects, read field by field below
  Array<Record<string, any>>
>;
const ALLOWED_ENV = new Set([...KNOWN_ENV, 'NODE_ENV']);

let h: Harness;
let pollerApp: FastifyInstance;
beforeAll(async () => {
  h = await startHarness();
  pollerApp = await buildApp(h.ctx, { healthOnly: true });
});
afterAll(async () => {
  await pollerApp.close();
  await h.close();
});

/** The path of an HTTP probe must answer 200 without credentials on a server of that role. */
async function expectEndpoint(path: string, role: ServerRole = 'api') {
  const r = await (role === 'poller' ? pollerApp : h.app).inject({ url: path });
  expect(r.statusCode, `${role} ${path}`).toBe(200);
}

/** The role a container runs as, from its env (the default is `all`). */
function roleOf(
  env: Record<string, string> | Array<{ name: string; value?: string }> | undefined,
): ServerRole {
  const value = Array.isArray(env) ? env.find((e) => e.name === 'ISPM_ROLE')?.value : env?.ISPM_ROLE;
  return (value ?? 'all') as ServerRole;
}

describe('deployment files', () => {
  it('Dockerfile exposes 8080/9090, runs the compiled CLI in exec form, health-checks /live', () => {
    const df = read('Dockerfile');
    expect(df).toMatch(/^EXPOSE 8080 9090$/m);
    expect(df).toMatch(/^ENTRYPOINT \["node", "examples\/server\/dist\/cli\.js"\]$/m);
    expect(df).toMatch(/^CMD \["serve"\]$/m);
    expect(df).toMatch(/\/live/);
    expect(df).toMatch(/^USER node$/m);
    const envs = [...df.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=/gm)].map((m) => m[1] as string);
    for (const e of envs) expect(ALLOWED_ENV.has(e), e).toBe(true);
  });

  it('docker-compose has api, poller and postgres with known env names and real health endpoints', async () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['api', 'poller', 'postgres']));
    expect(compose.services.api.ports).toEqual(['8080:8080', '127.0.0.1:9090:9090']);
    for (const name of ['api', 'poller', 'migrate']) {
      const svc = compose.services[name];
      expect(svc.image, name).toBe('ispmonitor:dev');
      for (const env of Object.keys(svc.environment ?? {}))
        expect(ALLOWED_ENV.has(env), `${name}: ${env}`).toBe(true);
      expect(svc.environment.DATABASE_URL, name).toMatch(/@postgres:5432\//);
    }
    expect(compose.services.migrate.command).toEqual(['migrate']);
    // The API replicas serve and poll nothing; the pollers poll and share the devices.
    expect(roleOf(compose.services.api.environment)).toBe('api');
    expect(roleOf(compose.services.poller.environment)).toBe('poller');
    expect(compose.services.poller.environment.CLUSTER).toBe('postgres');
    expect(compose.services.poller.ports).toBeUndefined();
    for (const name of ['api', 'poller']) {
      expect(parseServerConfig({}, compose.services[name].environment).role).toBe(name);
      const probe = compose.services[name].healthcheck.test.join(' ');
      const path = probe.match(/127\.0\.0\.1:8080(\/[a-z]+)/)?.[1] as string;
      await expectEndpoint(path, roleOf(compose.services[name].environment));
    }
  });

  it('the example config and the ConfigMap config are valid configs', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'ispm-deploy-'));
    const cm = k8s['configmap.yaml']![0]!;
    writeFileSync(join(dir, 'cm.yaml'), cm.data['config.yaml']);
    for (const file of [join(DEPLOY, 'config.example.yaml'), join(dir, 'cm.yaml')]) {
      const { loaded } = await readConfig(file, {});
      expect(loaded.config.api.port).toBe(8080);
      expect(loaded.config.metrics.port).toBe(9090);
    }
    for (const key of Object.keys(cm.data).filter((k) => k !== 'config.yaml'))
      expect(ALLOWED_ENV.has(key), key).toBe(true);
  });

  it('k8s: an api and a poller Deployment, each running its role', () => {
    const roles = k8s['deployment.yaml']!.map((d) => [
      d.metadata.name,
      roleOf(d.spec.template.spec.containers[0].env),
    ]);
    expect(roles).toEqual([
      ['ispmonitor-api', 'api'],
      ['ispmonitor-poller', 'poller'],
    ]);
    for (const d of k8s['deployment.yaml']!) {
      const labels = d.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    }
    expect(k8s['configmap.yaml']![0]!.data.CLUSTER).toBe('postgres');
  });

  it.each([0, 1])(
    'k8s deployment %i: ports, probes on real endpoints of its role, env from known names, secret and configmap that exist',
    async (index) => {
      const dep = k8s['deployment.yaml']![index]!;
      const pod = dep.spec.template.spec;
      const api = pod.containers[0];
      const role = roleOf(api.env);
      expect(api.image).toBe('ispmonitor:dev');
      expect(api.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([8080, 9090]);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        expect(api[probe].httpGet.port).toBe('http');
        await expectEndpoint(api[probe].httpGet.path, role);
      }
      expect(api.readinessProbe.httpGet.path).toBe('/ready');
      for (const c of [...pod.containers, ...pod.initContainers]) {
        for (const e of c.env ?? []) expect(ALLOWED_ENV.has(e.name), e.name).toBe(true);
      }
      const secret = k8s['secret.yaml']![0]!;
      for (const key of Object.keys(secret.stringData)) expect(ALLOWED_ENV.has(key), key).toBe(true);
      const refs = pod.containers.flatMap((c: { envFrom?: unknown[] }) => c.envFrom ?? []) as Array<
        Record<string, { name: string }>
      >;
      expect(refs.map((r) => (r.secretRef ?? r.configMapRef)?.name).sort()).toEqual(
        [k8s['configmap.yaml']![0]!.metadata.name, secret.metadata.name].sort(),
      );
      expect(pod.volumes[0].configMap.name).toBe(k8s['configmap.yaml']![0]!.metadata.name);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10);
    },
  );

  it('k8s services select the right pods, HPAs scale existing deployments', () => {
    const [api, poller] = k8s['deployment.yaml']!;
    const [svc, pollers] = k8s['service.yaml']!;
    const selects = (service: typeof svc, dep: typeof api) =>
      Object.entries(service!.spec.selector).every(([k, v]) => dep!.spec.template.metadata.labels[k] === v);
    // The API Service reaches API pods only; the headless one every poller (for Prometheus).
    expect(selects(svc, api)).toBe(true);
    expect(selects(svc, poller)).toBe(false);
    expect(svc!.spec.ports.map((p: { port: number }) => p.port)).toEqual([8080, 9090]);
    expect(selects(pollers, poller)).toBe(true);
    expect(selects(pollers, api)).toBe(false);
    expect(pollers!.spec.clusterIP).toBe('None');
    expect(pollers!.spec.ports.map((p: { port: number }) => p.port)).toEqual([9090]);
    const names = k8s['deployment.yaml']!.map((d) => d.metadata.name);
    const targets = k8s['hpa.yaml']!.map((hpa) => {
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      return hpa.spec.scaleTargetRef.name;
    });
    expect(targets.sort()).toEqual(names.sort());
  });

  it('the Prometheus scrape config scrapes the metrics port and the device SD endpoint', async () => {
    const prom = parse(read('prometheus/prometheus.yml'));
    const devices = prom.scrape_configs.find(
      (j: { job_name: string }) => j.job_name === 'ispmonitor-devices',
    );
    expect(devices.metrics_path).toBe('/metrics/devices');
    expect(devices.http_sd_configs[0].url).toMatch(/:9090\/sd\/devices$/);
  });

  it.each([
    ['prometheus-k8s.yml', 'k8s'],
    ['prometheus-compose.yml', 'compose'],
  ])(
    "the multi-poller scrape config %s scrapes each API replica, each poller and each poller's whole device metrics",
    async (file, kind) => {
      const prom = parse(read(`prometheus/${file}`));
      const jobs = Object.fromEntries(
        prom.scrape_configs.map((j: { job_name: string }) => [j.job_name, j]),
      ) as Record<
        string,
        {
          metrics_path?: string;
          params?: unknown;
          relabel_configs?: unknown;
          dns_sd_configs: Array<{ names: string[]; type: string; port: number }>;
        }
      >;
      expect(Object.keys(jobs).sort()).toEqual(['ispmonitor', 'ispmonitor-devices', 'ispmonitor-pollers']);
      // A whole /metrics/devices per poller: no ?target= (that is the single-process way).
      expect(jobs['ispmonitor-devices']!.metrics_path).toBe('/metrics/devices');
      expect(jobs['ispmonitor-devices']!.params).toBeUndefined();
      expect(jobs['ispmonitor-devices']!.relabel_configs).toBeUndefined();
      const names = (job: string) =>
        jobs[job]!.dns_sd_configs.flatMap((c) => {
          expect(c.port).toBe(9090);
          expect(c.type).toBe('A');
          return c.names;
        });
      // The names resolve to every pod/container of the right role.
      let api: string[];
      let pollers: string[];
      if (kind === 'k8s') {
        const services = k8s['service.yaml']!;
        const [apiDep, pollerDep] = k8s['deployment.yaml']!;
        const headless = (dep: typeof apiDep) =>
          services
            .filter(
              (svc) =>
                svc.spec.clusterIP === 'None' &&
                svc.spec.ports.some((p: { port: number }) => p.port === 9090) &&
                Object.entries(svc.spec.selector).every(
                  ([k, v]) => dep!.spec.template.metadata.labels[k] === v,
                ),
            )
            .map((svc) => `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
        api = headless(apiDep);
        pollers = headless(pollerDep);
      } else {
        const compose = parse(read('docker-compose.yml'));
        const ofRole = (role: ServerRole) =>
          Object.entries(compose.services as Record<string, { environment?: Record<string, string> }>)
            .filter(([, svc]) => svc.environment && roleOf(svc.environment) === role)
            .map(([name]) => name);
        api = ofRole('api');
        pollers = ofRole('poller');
      }
      expect(api.length).toBe(1);
      expect(pollers.length).toBe(1);
      expect(names('ispmonitor')).toEqual(api);
      expect(names('ispmonitor-pollers')).toEqual(pollers);
      expect(names('ispmonitor-devices')).toEqual(pollers);
    },
  );
});
