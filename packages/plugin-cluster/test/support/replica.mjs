// One poller replica, run as a child process by the multi-process test. It builds a monitor from
// the compiled packages (cluster, and postgres storage when STORAGE=1) with a tiny driver, and
// tells the parent over IPC about every poll (device, replica, time) and its cluster status —
// every 200 ms, and at once when asked ({t: 'report', seq}: the answer carries seq, so the parent
// knows the status is as of after its question, without trusting how recent a message is).
// It runs the real alerts plugin with one rule and a webhook to the parent's HTTP receiver. On
// {t: 'hot', device} every replica marks the device hot; whichever replica polls it then reports a
// temperature over the rule's threshold, so the alert fires on the owner and the leader notifies.
import { createMonitor, tokens } from '@ispmonitor/core';
import { driverPlugin } from '@ispmonitor/core/testing';
import { alerts } from '@ispmonitor/plugin-alerts';
import { cluster, clusterStatus } from '@ispmonitor/plugin-cluster';

const env = process.env;
const replica = env.REPLICA;
const interval = Number(env.INTERVAL_MS);
const count = Number(env.DEVICES);

let pending = [];
const hot = new Set();
const tick = driverPlugin({
  kind: 'tick',
  async poll(device) {
    const at = Date.now();
    pending.push([device.id, at]);
    // Stamped on the slot, so two replicas polling one device in one slot write the same
    // (series, ts): the storage's idempotent write must keep one row.
    const ts = Math.floor(at / interval) * interval;
    const samples = [{ name: 'device_uptime_seconds', labels: {}, value: 1, ts }];
    if (hot.has(device.id)) samples.push({ name: 'device_temperature_celsius', labels: {}, value: 90, ts });
    return { samples };
  },
});

const plugins = [tick];
if (env.STORAGE === '1') {
  const { postgres } = await import('@ispmonitor/plugin-postgres');
  plugins.push(postgres({ url: env.PG_URL, pool: { max: 3 }, maintenance: { interval: '10m' } }));
}
plugins.push(
  alerts({
    // `for` makes a taken-over alert depend on its adoption: started afresh on its new owner it
    // would be pending, not firing, for a while, and the leader would notify a resolve.
    rules: [
      {
        name: 'TestHot',
        metric: 'device_temperature_celsius',
        op: '>',
        threshold: 50,
        severity: 'critical',
        for: '3s',
      },
    ],
    receivers: [
      {
        name: 'test',
        // The header tells the test which replica sent it.
        webhook: [{ url: env.RECEIVER_URL, allowLoopback: true, headers: { 'x-replica': replica } }],
      },
    ],
    route: {
      receiver: 'test',
      group_by: ['alertname', 'device'],
      group_wait: '1s',
      group_interval: '5s',
      repeat_interval: '1h',
    },
    evaluationInterval: '2s',
    syncInterval: '1s',
  }),
  cluster({
    url: env.PG_URL,
    replica,
    heartbeatInterval: '500ms',
    leaseTimeout: '3s',
    staleAfter: '6s',
    rebalanceDelay: '2s',
    minBackoff: '200ms',
    maxBackoff: '1s',
  }),
);

const devices = Array.from({ length: count }, (_, i) => ({
  id: `dev-${i}`,
  host: '127.0.0.1',
  driver: 'tick',
  interval,
}));
const monitor = await createMonitor({
  plugins,
  devices,
  logLevel: 'warn',
  poller: { concurrency: 500, timeout: '2s', recheckInterval: interval },
  sinks: { flushInterval: '200ms' },
});
let sinkErrors = 0;
monitor.bus.on('sink:error', () => {
  sinkErrors++;
});
await monitor.start();
const ownership = monitor.resolve(tokens.Ownership);
const leadership = monitor.resolve(tokens.Leadership);
const clusterView = monitor.resolve(clusterStatus);

const report = (seq) => {
  const polls = pending;
  pending = [];
  const owned = devices.filter((d) => ownership.owns(d.id)).length;
  process.send?.({
    t: 'status',
    replica,
    buckets: clusterView.ownedBuckets().length,
    polls,
    owned,
    leader: leadership.isLeader(),
    sinkErrors,
    seq,
    now: Date.now(),
  });
};
const timer = setInterval(() => report(undefined), 200);

process.on('message', async (msg) => {
  if (msg?.t === 'report') report(msg.seq);
  if (msg?.t === 'hot') hot.add(msg.device);
  if (msg?.t === 'stop') {
    clearInterval(timer);
    await monitor.stop();
    report();
    process.exit(0);
  }
});
process.send?.({ t: 'ready', replica, pid: process.pid });
