import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readConfig } from '../src/assemble.js';
import { KNOWN_ENV } from '../src/server-config.js';
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
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The path of an HTTP probe must answer 200 on the real server without credentials. */
async function expectEndpoint(path: string) {
  const r = await h.app.inject({ url: path });
  expect(r.statusCode, path).toBe(200);
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
    expect(compose.services.api.ports).toEqual(['8080:8080', '9090:9090']);
    for (const name of ['api', 'poller', 'migrate']) {
      const svc = compose.services[name];
      expect(svc.image, name).toBe('ispmonitor:dev');
      for (const env of Object.keys(svc.environment ?? {}))
        expect(ALLOWED_ENV.has(env), `${name}: ${env}`).toBe(true);
      expect(svc.environment.DATABASE_URL, name).toMatch(/@postgres:5432\//);
    }
    expect(compose.services.migrate.command).toEqual(['migrate']);
    for (const name of ['api', 'poller']) {
      const probe = compose.services[name].healthcheck.test.join(' ');
      const path = probe.match(/127\.0\.0\.1:8080(\/[a-z]+)/)?.[1] as string;
      await expectEndpoint(path);
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

  it('k8s deployment: ports, probes on real endpoints, env from known names, secret and configmap that exist', async () => {
    const dep = k8s['deployment.yaml']![0]!;
    const pod = dep.spec.template.spec;
    const api = pod.containers[0];
    expect(api.image).toBe('ispmonitor:dev');
    expect(api.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([8080, 9090]);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(api[probe].httpGet.port).toBe('http');
      await expectEndpoint(api[probe].httpGet.path);
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
  });

  it('k8s service and HPA point at the deployment', () => {
    const dep = k8s['deployment.yaml']![0]!;
    const svc = k8s['service.yaml']![0]!;
    const hpa = k8s['hpa.yaml']![0]!;
    for (const [k, v] of Object.entries(svc.spec.selector))
      expect(dep.spec.template.metadata.labels[k]).toBe(v);
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toEqual([8080, 9090]);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: dep.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });

  it('the Prometheus scrape config scrapes the metrics port and the device SD endpoint', async () => {
    const prom = parse(read('prometheus/prometheus.yml'));
    const devices = prom.scrape_configs.find(
      (j: { job_name: string }) => j.job_name === 'ispmonitor-devices',
    );
    expect(devices.metrics_path).toBe('/metrics/devices');
    expect(devices.http_sd_configs[0].url).toMatch(/:9090\/sd\/devices$/);
  });
});
