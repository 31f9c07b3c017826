/**
 * The issue's scenario with real processes: three replica PROCESSES share 2,000 devices (5 s
 * interval) through a real PostgreSQL, writing through the postgres storage plugin. We kill -9
 * the leader, then stop and start the database, and check from the replicas' poll reports and the
 * stored rows: takeover within 30 s, nothing left unpolled, no double polling for longer than one
 * interval, no polling without the database, no duplicated sample. The replicas run the real
 * alerts plugin with a webhook to this test: exactly one notification for an alert that fires
 * before the kill (and stays firing across it, its device taken over), and one for an alert that
 * fires after it.
 *
 * Synchronised by events, not by sleeps: the test asks every live replica for its status and
 * waits for the answers (so a status is known to be as of after the question, however slow a
 * loaded machine makes the replicas), and waits for states — every device polled again, every
 * replica letting go of its devices — instead of sleeping a fixed time and hoping they were
 * reached. Only the windows that must show that something does NOT happen (no second
 * notification, no poll without the database) are lengths of time.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { skipTitle } from '@ispmonitor/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyse, type Poll } from './support/analyse.js';
import { pgMissing, startTestPg, type TestPg } from './support/pg.js';

const missing = pgMissing();
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/replica.mjs', import.meta.url));
const INTERVAL = 5000;
const DEVICES = 2000;
const NAMES = ['r1', 'r2', 'r3'];
/** Long enough for a duplicate notification to show: the replicas' sync, group_wait and group_interval are 1 s, 1 s and 5 s. */
const DUPLICATE_WINDOW = 8000;

/** One webhook request the test's receiver got. */
interface Received {
  id: string;
  replica: string;
  /** `device:status` of each alert in it. */
  alerts: string[];
}

interface Status {
  owned: number;
  buckets: number;
  leader: boolean;
  sinkErrors: number;
  /** The question (`seq`) this status answered; periodic reports answer none. */
  seq: number | undefined;
  /** The replica's clock when it sent this status. */
  now: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing)(skipTitle('three replica processes', missing), () => {
  let db: TestPg;
  let receiver: Server;
  const notifications: Received[] = [];
  /** Notifications that mention the test alert of a device. */
  const about = (device: string) =>
    notifications.filter((n) => n.alerts.some((a) => a.startsWith(`${device}:`)));
  const polls: Poll[] = [];
  const status = new Map<string, Status>();
  const children = new Map<string, ChildProcess>();
  const stderr = new Map<string, string>();
  /** The last question asked by `snapshot()`, and who still owes its answer. */
  let asked = 0;
  const owed = new Map<string, () => void>();
  /** The last question each replica answered. */
  const answered = new Map<string, number>();
  /** Replicas listening for questions (a message sent before would be lost). */
  const ready = new Set<string>();

  const spawnReplica = (name: string, receiverUrl: string) => {
    const child = fork(CHILD, [], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PG_URL: db.url,
        REPLICA: name,
        DEVICES: String(DEVICES),
        INTERVAL_MS: String(INTERVAL),
        RECEIVER_URL: receiverUrl,
        STORAGE: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    stderr.set(name, '');
    child.stderr?.on('data', (d) => stderr.set(name, `${stderr.get(name)}${d}`.slice(-20_000)));
    child.on('message', (m: { t: string; polls?: Array<[string, number]> } & Status) => {
      if (m.t === 'ready') ready.add(name);
      if (m.t !== 'status') return;
      for (const [device, at] of m.polls ?? []) polls.push({ device, replica: name, at });
      status.set(name, {
        owned: m.owned,
        buckets: m.buckets,
        leader: m.leader,
        sinkErrors: m.sinkErrors,
        seq: m.seq,
        now: m.now,
      });
      if (m.seq !== undefined) answered.set(name, m.seq);
      if (m.seq === asked) owed.get(name)?.();
    });
    children.set(name, child);
  };
  const alive = () => NAMES.filter((n) => children.get(n)?.exitCode === null && !children.get(n)?.killed);
  /**
   * Asks every live replica for its status now and waits for all the answers: afterwards each
   * status (and every poll reported before it) is as of after this call began.
   */
  const snapshot = async () => {
    const seq = ++asked;
    owed.clear();
    const answers = alive()
      .filter((n) => ready.has(n))
      .map(
        (n) =>
          new Promise<void>((resolve) => {
            owed.set(n, resolve);
            children.get(n)?.send({ t: 'report', seq });
          }),
      );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no status from ${[...owed.keys()]} in 20 s`)), 20_000);
    });
    await Promise.race([Promise.all(answers), late]).finally(() => clearTimeout(timer));
  };
  /** Asks for statuses until `fn` holds of them; resolves with how long that took. */
  const until = async (what: string, fn: () => boolean, ms: number): Promise<number> => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      await snapshot();
      if (fn()) return Date.now() - start;
      await sleep(100);
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  };
  /** Whether every device was polled (by anyone) since `from`. */
  const allPolledSince = (from: number) =>
    analyse(polls, { from, to: Number.POSITIVE_INFINITY, interval: INTERVAL, devices: DEVICES }).unpolled
      .length === 0;
  /** Its status answers the last question (later periodic reports only make it newer). */
  const fresh = (n: string) => answered.get(n) === asked;
  const shared = () => {
    const live = alive();
    return live.every(fresh) && live.reduce((sum, n) => sum + (status.get(n)?.owned ?? 0), 0) === DEVICES;
  };
  /** Every bucket held, none by a replica over its fair share: nothing moves any more. */
  const fair = () => {
    const live = alive();
    const held = live.map((n) => status.get(n)?.buckets ?? 0);
    return (
      shared() &&
      held.reduce((a, b) => a + b, 0) === 256 &&
      held.every((b) => b <= Math.ceil(256 / live.length))
    );
  };
  const leaders = () => alive().filter((n) => fresh(n) && status.get(n)?.leader);

  beforeAll(async () => {
    // Node 20 cannot run TypeScript: the children use the compiled packages.
    execFileSync(
      'npx',
      ['tsc', '-b', 'packages/plugin-cluster', 'packages/plugin-postgres', 'packages/plugin-alerts'],
      {
        cwd: ROOT,
      },
    );
    db = await startTestPg();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        // The Alertmanager webhook payload; what is not understood is kept, so that it fails the test.
        const payload = JSON.parse(body) as {
          alerts?: Array<{ status: string; labels: Record<string, string> }>;
        };
        notifications.push({
          id: String(req.headers['webhook-id']),
          replica: String(req.headers['x-replica']),
          alerts: (payload.alerts ?? []).map((a) => `${a.labels.device}:${a.status}`),
        });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  }, 180_000);

  afterAll(async () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
    receiver?.close();
    await db?.destroy();
  });

  it('share, fail over, survive a database outage, store each sample once', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    for (const name of NAMES) spawnReplica(name, url);
    const debug = () => [...stderr].map(([n, s]) => `--- ${n}\n${s.slice(-3000)}`).join('\n');

    // 1. The three share every device, with one leader.
    await until('the three replicas to share every device fairly', fair, 40_000).catch((err) => {
      throw new Error(`${err.message}\n${debug()}`);
    });
    await until('one leader', () => leaders().length === 1, 10_000);
    const steadyFrom = Date.now();
    await until('every device to be polled in steady state', () => allPolledSince(steadyFrom), INTERVAL * 6);
    const steady = analyse(polls, { from: steadyFrom, to: Date.now(), interval: INTERVAL, devices: DEVICES });
    expect(steady.unpolled, 'devices nobody polled in steady state').toEqual([]);
    expect(steady.doublePolled, 'devices polled by two replicas in steady state').toEqual([]);

    // 2. An alert fires on a device the leader polls: exactly one notification, from the leader.
    const leader = leaders()[0] as string;
    const hot1 = polls.find((p) => p.replica === leader && p.at >= steadyFrom)?.device as string;
    /**
     * Makes `device` hot on every replica, waits for its notification and then for the window a
     * duplicate would arrive in: exactly one notification must have come. Returns who sent it.
     */
    const notifiedOnce = async (device: string, when: string) => {
      for (const n of alive()) children.get(n)?.send({ t: 'hot', device });
      await until(`a notification for the alert that fires ${when}`, () => about(device).length > 0, 30_000);
      await sleep(DUPLICATE_WINDOW);
      expect(about(device).map((n) => n.alerts)).toEqual([[`${device}:firing`]]);
      return about(device)[0]?.replica;
    };
    expect(await notifiedOnce(hot1, 'before the kill')).toBe(leader);

    // 3. kill -9 the leader: its devices are polled again within 30 s by the others.
    await snapshot();
    const victim = leaders()[0] as string;
    expect(victim, 'the leader did not change while nothing happened').toBe(leader);
    const victimDevices = new Set(
      polls.filter((p) => p.replica === victim && p.at >= steadyFrom).map((p) => p.device),
    );
    expect(victimDevices.size).toBeGreaterThan(DEVICES / 6);
    const killedAt = Date.now();
    children.get(victim)?.kill('SIGKILL');
    const takeoverMs = await until(
      'every device of the dead replica to be polled again',
      () => {
        const again = new Set(
          polls.filter((p) => p.at > killedAt && p.replica !== victim).map((p) => p.device),
        );
        return [...victimDevices].every((d) => again.has(d));
      },
      30_000,
    );
    await until(
      'the survivors to share every device with one leader',
      () => fair() && leaders().length === 1,
      20_000,
    );
    const afterKill = Date.now();
    await until(
      'every device to be polled after the takeover',
      () => allPolledSince(afterKill),
      INTERVAL * 6,
    );
    const post = analyse(polls, { from: afterKill, to: Date.now(), interval: INTERVAL, devices: DEVICES });
    expect(post.unpolled, 'devices unpolled after the takeover').toEqual([]);
    // An alert fires after the kill (on a device of the dead replica): one notification, from the
    // new leader. The one firing across the kill (its device taken over too) is neither repeated
    // nor resolved.
    const hot2 = [...victimDevices].find((d) => d !== hot1) as string;
    expect(await notifiedOnce(hot2, 'after the kill')).not.toBe(victim);
    expect(about(hot1), 'notifications of the alert firing across the kill').toHaveLength(1);

    // 4. Database down: every replica lets go of its devices (its session is lost) and, from
    // the status that says so, polls nothing — watched for one interval of its own clock.
    await db.stopServer();
    const downAt = Date.now();
    await until(
      'every replica to let go of its devices',
      () => alive().every((n) => status.get(n)?.owned === 0),
      30_000,
    );
    const letGo = new Map(alive().map((n) => [n, status.get(n)?.now ?? downAt]));
    await sleep(INTERVAL);
    await snapshot();
    const during = polls.filter((p) => p.at > (letGo.get(p.replica) ?? Number.POSITIVE_INFINITY));
    expect(during, 'polls after a replica let go of its devices, the database down').toEqual([]);
    // 5. Database back: polling resumes, the buckets shared again.
    await db.startServer();
    const upAt = Date.now();
    const resumeMs = await until('the buckets to be shared fairly again', fair, 30_000);
    const sharedAgain = Date.now();
    await until('every device to be polled again', () => allPolledSince(sharedAgain), INTERVAL * 6);
    const resumed = analyse(polls, {
      from: sharedAgain,
      to: Date.now(),
      interval: INTERVAL,
      devices: DEVICES,
    });
    expect(resumed.unpolled, 'devices unpolled after the database came back').toEqual([]);
    expect(alive().every((n) => (status.get(n)?.owned ?? 0) > 0)).toBe(true);

    // Stop the survivors (flushing their sinks), then look at the whole run.
    const stoppedAt = Date.now();
    await Promise.all(
      alive().map(
        (n) =>
          new Promise<void>((resolve) => {
            const child = children.get(n) as ChildProcess;
            child.once('exit', () => resolve());
            child.send({ t: 'stop' });
          }),
      ),
    );
    const all = analyse(polls, { from: 0, to: stoppedAt, interval: INTERVAL, devices: DEVICES });
    // Across the database outage too: still one notification each, and none sent twice.
    expect(about(hot1).map((n) => n.alerts)).toEqual([[`${hot1}:firing`]]);
    expect(about(hot2).map((n) => n.alerts)).toEqual([[`${hot2}:firing`]]);
    expect(new Set(notifications.map((n) => n.id)).size).toBe(notifications.length);
    expect(all.longestDoublePollMs, 'longest time two replicas polled one device').toBeLessThanOrEqual(
      INTERVAL,
    );

    // 6. No sample duplicated: one row per (device, slot) polled by a survivor, whoever polled it.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: dup } = await client.query(
        'SELECT series_id, ts, count(*)::int AS n FROM ispm_samples GROUP BY 1, 2 HAVING count(*) > 1',
      );
      expect(dup).toEqual([]);
      const { rows } = await client.query<{ device: string; ts: string }>(
        `SELECT s.device, (extract(epoch FROM x.ts) * 1000)::int8::text AS ts
           FROM ispm_samples x JOIN ispm_series s ON s.id = x.series_id
          WHERE s.name = 'device_uptime_seconds'`,
      );
      const stored = new Map<string, number>();
      for (const r of rows) stored.set(`${r.device}@${r.ts}`, (stored.get(`${r.device}@${r.ts}`) ?? 0) + 1);
      const slot = (at: number) => Math.floor(at / INTERVAL) * INTERVAL;
      const bySurvivors = new Set(
        polls.filter((p) => p.replica !== victim).map((p) => `${p.device}@${slot(p.at)}`),
      );
      const polledTwice = new Set<string>();
      const seen = new Map<string, string>();
      for (const p of polls) {
        const key = `${p.device}@${slot(p.at)}`;
        const other = seen.get(key);
        if (other !== undefined && other !== p.replica) polledTwice.add(key);
        seen.set(key, p.replica);
      }
      const missingRows = [...bySurvivors].filter((k) => !stored.has(k));
      // When rows are missing, say when those slots were, relative to the kill and the outage.
      const slots = missingRows.map((k) => Number(k.split('@')[1]));
      const when = (t: number) =>
        `kill${t >= killedAt ? '+' : ''}${t - killedAt}ms, down${t >= downAt ? '+' : ''}${t - downAt}ms, up${t >= upAt ? '+' : ''}${t - upAt}ms`;
      const span =
        slots.length > 0 ? ` (slots from ${when(Math.min(...slots))} to ${when(Math.max(...slots))})` : '';
      expect(missingRows.slice(0, 10), `${missingRows.length} polled slots without a row${span}`).toEqual([]);
      for (const key of polledTwice) expect(stored.get(key) ?? 1, key).toBe(1);
      const sinkErrors = [...status.entries()].filter(([n]) => n !== victim).map(([, s]) => s.sinkErrors);
      console.info(
        `[cluster e2e] polls=${polls.length} rows=${rows.length} takeover=${takeoverMs}ms resume=${resumeMs}ms ` +
          `after db start at +${Date.now() - upAt}ms; slots polled by two replicas=${polledTwice.size}; ` +
          `double-poll episodes=${all.doublePollEpisodes} longest=${all.longestDoublePollMs}ms; sink errors (outage)=${sinkErrors}; ` +
          `notifications=${notifications.length}`,
      );
    } finally {
      await client.end();
    }
  }, 150_000);
});
