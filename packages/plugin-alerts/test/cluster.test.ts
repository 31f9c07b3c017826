/**
 * Alerts across replicas: two monitors (two "replicas") share one StateStore on one fake clock;
 * a small plugin plays the cluster (who is leader, who owns which device). A replica is "killed"
 * by making its store fail and taking its roles away, as a kill -9 leaves it: nothing more written.
 */
import { definePlugin, type StateStore, tokens } from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../src/index.js';
import { baseOptions, firingDevices, type Harness, harness, recorder } from './support/harness.js';

interface Role {
  leader: boolean;
  owns: Set<string>;
}

function clusterRole(name: string, role: Role) {
  return definePlugin({
    name: `test-cluster-${name}`,
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.Leadership, { isLeader: () => role.leader });
      ctx.provide(tokens.Ownership, { replica: name, owns: (id: string) => role.owns.has(id) });
    },
  })();
}

/** The shared store, seen through one replica: when that replica dies, its reads and writes fail. */
function replicaStore(shared: StateStore) {
  const state = { dead: false };
  const check = () => {
    if (state.dead) throw new Error('replica is dead');
  };
  const store: StateStore = {
    async get(n, k) {
      check();
      return shared.get(n, k);
    },
    async set(n, k, v) {
      check();
      await shared.set(n, k, v);
    },
    async delete(n, k) {
      check();
      await shared.delete(n, k);
    },
    async list(n) {
      check();
      return shared.list(n);
    },
  };
  return { store, state };
}

const rules = [
  {
    name: 'HighCpu',
    metric: 'device_cpu_load_ratio',
    op: '>' as const,
    threshold: 0.9,
    severity: 'critical',
    for: '20s',
  },
];
const options = baseOptions({ rules, syncInterval: '2s' });

let replicas: Harness[] = [];
afterEach(async () => {
  for (const r of replicas) await r.stop().catch(() => undefined);
  replicas = [];
});

async function twoReplicas() {
  const clock = new FakeClock();
  const shared = memoryStateStore();
  const roleA: Role = { leader: true, owns: new Set(['dev-a']) };
  const roleB: Role = { leader: false, owns: new Set(['dev-b']) };
  const storeA = replicaStore(shared);
  const storeB = replicaStore(shared);
  const recA = recorder();
  const recB = recorder();
  const a = await harness(options, {
    clock,
    store: storeA.store,
    rec: recA,
    plugins: [clusterRole('a', roleA)],
  });
  const b = await harness(options, {
    clock,
    store: storeB.store,
    rec: recB,
    plugins: [clusterRole('b', roleB)],
  });
  replicas = [a, b];
  const kill = (role: Role, s: { dead: boolean }) => {
    s.dead = true;
    role.leader = false;
    role.owns.clear();
  };
  return {
    clock,
    shared,
    a,
    b,
    roleA,
    roleB,
    recA,
    recB,
    storeB: storeB.state,
    killA: () => kill(roleA, storeA.state),
  };
}

const alertnames = (h: Harness, status?: string) =>
  h.sent
    .filter((n) => !status || n.status === status)
    .flatMap((n) => n.alerts.map((x) => `${x.labels.device}:${x.status}`));

describe('alerts across replicas', () => {
  it('evaluates on the owner and notifies once, from the leader only', async () => {
    const { a, b } = await twoReplicas();
    // dev-b belongs to B: B evaluates it; A (the leader) notifies.
    b.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    // A sample of a device a replica does not own is ignored there.
    a.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.1 }]);
    await a.advance(35_000);
    expect(alertnames(a)).toEqual(['dev-b:firing']);
    expect(b.sent).toEqual([]);
    // Every replica's API shows the cluster's alerts.
    expect(firingDevices(a.api)).toEqual(['dev-b']);
    expect(firingDevices(b.api)).toEqual(['dev-b']);

    b.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.2 }]);
    await a.advance(65_000);
    expect(alertnames(a)).toEqual(['dev-b:firing', 'dev-b:resolved']);
    expect(b.sent).toEqual([]);
  });

  it('a new leader neither repeats what was sent nor drops what was pending; a taken-over alert carries on', async () => {
    const { a, b, roleB, recA, killA } = await twoReplicas();
    // Before the kill: dev-a fires on A and A notifies it.
    a.samples('dev-a', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await a.advance(35_000);
    expect(alertnames(a)).toEqual(['dev-a:firing']);

    // dev-b fires; A's notifier fails, so its notification waits in the outbox when A dies.
    recA.state.result = () => ({ ok: false, retry: true, error: 'receiver down' });
    b.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await a.advance(35_000);
    expect(alertnames(a)).toEqual(['dev-a:firing']);

    // kill -9 A: B becomes leader and takes dev-a over, which is still hot.
    killA();
    roleB.leader = true;
    roleB.owns.add('dev-a');
    b.samples('dev-a', [{ name: 'device_cpu_load_ratio', value: 0.98 }]);
    await b.advance(5_000);
    // The pending one goes out once, with the id A gave it; dev-a's is not sent again.
    expect(alertnames(b)).toEqual(['dev-b:firing']);
    await b.advance(5 * 60_000);
    expect(alertnames(b)).toEqual(['dev-b:firing']);
    expect(b.api.get(b.api.list({ state: 'firing' })[0]?.fingerprint ?? '')?.state).toBe('firing');
    expect(firingDevices(b.api)).toEqual(['dev-a', 'dev-b']);

    // After the kill: a new alert is notified once, and dev-a resolves once, on B.
    b.samples('dev-a', [{ name: 'device_cpu_load_ratio', value: 0.1 }]);
    await b.advance(65_000);
    expect(alertnames(b)).toEqual(['dev-b:firing', 'dev-a:resolved']);
    expect(alertnames(a)).toEqual(['dev-a:firing']);
  });

  it('silences and acknowledgements made through any replica apply on the leader', async () => {
    const { a, b } = await twoReplicas();
    // Silence dev-b through B, which is not the leader.
    await b.api.silences.create({
      matchers: '{device="dev-b"}',
      endsAt: a.clock.now() + 3_600_000,
      createdBy: 'noc',
    });
    await a.advance(3_000);
    expect(a.api.silences.list()).toHaveLength(1);
    b.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    // Acknowledge dev-a's alert through B, which does not own dev-a.
    a.samples('dev-a', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    // Firing after `for` (20 s); every replica sees it within a sync; the group waits 10 s more.
    await a.advance(24_000);
    const fp = b.api.list({ state: 'firing' }).find((x) => x.labels.device === 'dev-a')?.fingerprint;
    expect(fp).toBeDefined();
    await b.api.acknowledge(fp as string, { by: 'noc' });
    await a.advance(60_000);
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([]);
    expect(a.api.get(fp as string)?.ack?.by).toBe('noc');
  });

  it('waits, without crashing, while the shared state cannot be read, then evaluates what it kept', async () => {
    const { a, b, storeB } = await twoReplicas();
    storeB.dead = true;
    for (let i = 0; i < 50; i++) b.samples('dev-b', [{ name: 'device_cpu_load_ratio', value: 0.99 }]);
    await a.advance(35_000);
    expect(b.api.list({ state: 'firing' })).toEqual([]);
    storeB.dead = false;
    await a.advance(35_000);
    expect(alertnames(a)).toEqual(['dev-b:firing']);
    expect(b.sent).toEqual([]);
  });
});
