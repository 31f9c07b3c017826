import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { queryUrlOf } from '../src/samples/config.js';
import { KNOWN_ENV } from '../src/server-config.js';

const DEPLOY = join(import.meta.dirname, '../../../deploy');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');

describe('deploy/victoria-metrics', () => {
  it('the compose override adds VictoriaMetrics and points the replicas at it with known variables', () => {
    const base = parse(read('docker-compose.yml'), { merge: true });
    const over = parse(read('victoria-metrics/docker-compose.yml'));
    expect(Object.keys(base.services)).toEqual(expect.arrayContaining(['api', 'poller']));
    const vm = over.services.victoria;
    expect(vm.command).toEqual(expect.arrayContaining(['-httpListenAddr=:8428']));
    expect(vm.ports).toBeUndefined();
    for (const name of ['api', 'poller']) {
      const env = over.services[name].environment as Record<string, string>;
      for (const k of Object.keys(env)) expect(KNOWN_ENV).toContain(k);
      expect(env.REMOTE_WRITE_URL).toBe('http://victoria:8428/api/v1/write');
      expect(over.services[name].depends_on.victoria.condition).toBe('service_healthy');
    }
    expect(over.services.api.environment.ISPM_SAMPLES).toBe('prometheus');
    expect(queryUrlOf(over.services.api.environment.REMOTE_WRITE_URL)).toBe('http://victoria:8428');
  });

  it('k8s: a StatefulSet with storage and a Service selecting its pods; the set-env lines name real deployments', () => {
    const text = read('victoria-metrics/k8s.yaml');
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    const svc = docs.find((d) => d.kind === 'Service');
    expect(sts.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe(
      sts.spec.template.spec.containers[0].volumeMounts[0].name,
    );
    expect(svc.spec.ports[0].port).toBe(8428);
    const deployments = parseAllDocuments(read('k8s/deployment.yaml'))
      .map((d) => d.toJS())
      .filter((d) => d?.kind === 'Deployment')
      .map((d) => d.metadata.name);
    for (const m of text.matchAll(/set env deployment\/(\S+) (.*)$/gm)) {
      expect(deployments).toContain(m[1]);
      for (const pair of (m[2] as string).split(' ')) expect(KNOWN_ENV).toContain(pair.split('=')[0]);
    }
  });
});
