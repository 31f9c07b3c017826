import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { type RunningServer, runServer } from '../src/run-server.js';
import { parseServerConfig, type ServerRole } from '../src/server-config.js';
import { labDriver } from './support/lab-driver.js';
import { type PgServer, pgUnavailable, startPgServer } from './support/pg.js';

const missing = pgUnavailable();
const KEY = 'ispm_replicas_test_admin_key_0123456789abcdefghij';
const PASSWORD = 'replica-test-password';
const admin = { authorization: `Bearer ${KEY}` };

describe('server roles need a shared database', () => {
  it('an api or poller role without DATABASE_URL is a config error saying why', async () => {
    const { config, secrets } = (await readConfig(undefined, { LOG_LEVEL: 'silent' })).loaded;
    await expect(assemble(config, secrets, { role: 'api', plugins: [labDriver()] })).rejects.toThrow(
      /server\.role: "api" needs database\.url \(DATABASE_URL\)/,
    );
  });

  it('an unknown role is refused, naming the variable and the choices', () => {
    expect(() => parseServerConfig({}, { ISPM_ROLE: 'both' })).toThrow(
      'ISPM_ROLE: "both" is not a role; expected one of all, api, poller',
    );
    expect(() => parseServerConfig({ role: 'web' }, {}, 'cfg.yaml')).toThrow(/cfg\.yaml: server\.role: /);
    expect(parseServerConfig({}, { ISPM_ROLE: 'api' }).role).toBe('api');
  });
});

describe.skipIf(missing)(
  `two API replicas and a poller on one PostgreSQL${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let pg: PgServer;
    const running: RunningServer[] = [];
    let a: RunningServer;
    let b: RunningServer;
    let poller: RunningServer;

    async function start(url: string, role: ServerRole): Promise<RunningServer> {
      const { config, secrets } = (await readConfig(undefined, { DATABASE_URL: url, LOG_LEVEL: 'warn' }))
        .loaded;
      config.api = { host: '127.0.0.1', port: 0 };
      config.metrics = { host: '127.0.0.1', port: 0 };
      config.poller = { ...config.poller, interval: '1s', recheckInterval: '1s' };
      config.plugins.alerts = {
        rules: [{ name: 'RouterDown', kind: 'device_status', severity: 'critical', deviceDown: true }],
        syncInterval: '200ms',
      };
      const monitor = await assemble(config, secrets, { role, plugins: [labDriver()] });
      const server = parseServerConfig(
        { role, syncIntervalSeconds: 60, auth: { adminApiKey: KEY, adminPassword: PASSWORD } },
        {},
      );
      const r = await runServer(monitor, config, server, { print: () => {} });
      running.push(r);
      return r;
    }

    beforeAll(async () => {
      pg = await startPgServer();
      const url = await pg.createDatabase('ispm_replicas');
      a = await start(url, 'api');
      b = await start(url, 'api');
      poller = await start(url, 'poller');
    }, 120_000);
    afterAll(async () => {
      for (const r of running) await r.shutdown();
      await pg?.stop();
    });

    const api = (r: RunningServer, path: string, init: RequestInit = {}) =>
      fetch(`${r.urls.api}${path}`, { ...init, headers: { ...admin, ...(init.headers ?? {}) } });

    it('a router created through A is read through B and polled by the poller, whose status B shows', async () => {
      const created = await api(a, '/api/v1/routers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'r1', host: '127.0.0.1', driver: 'lab', labels: { site: 'BEY' } }),
      });
      expect(created.status).toBe(201);
      // B learns about it at its next sync round (every syncIntervalSeconds; here at once).
      expect((await api(b, '/api/v1/routers/r1')).status).toBe(404);
      await b.syncNow();
      const read = (await (await api(b, '/api/v1/routers/r1')).json()) as { labels: unknown };
      expect(read.labels).toEqual({ site: 'BEY' });

      await poller.syncNow();
      let status: string | undefined;
      for (let i = 0; i < 100 && status !== 'online'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await b.syncNow();
        status = ((await (await api(b, '/api/v1/routers/r1')).json()) as { status: string }).status;
      }
      expect(poller.monitor.devices.get('r1')?.status).toBe('online');
      expect(status).toBe('online');
      const list = (await (await api(b, '/api/v1/routers?status=online')).json()) as { total: number };
      expect(list.total).toBe(1);
      // The API replicas poll nothing.
      expect(a.monitor.devices.get('r1')?.lastPollAt).toBeUndefined();
      expect(b.monitor.devices.get('r1')?.lastPollAt).toBeUndefined();

      // A change and a removal through B reach A and the poller.
      const patched = await api(b, '/api/v1/routers/r1', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Beirut core' }),
      });
      expect(patched.status).toBe(200);
      await Promise.all([a.syncNow(), poller.syncNow()]);
      expect(((await (await api(a, '/api/v1/routers/r1')).json()) as { name: string }).name).toBe(
        'Beirut core',
      );
      expect(poller.monitor.devices.get('r1')?.device.name).toBe('Beirut core');
    });

    it("an API replica streams the status changes the pollers recorded and exports them as the fleet's counts", async () => {
      // The web UI's live stream, opened on B before the poller sees the router.
      const abort = new AbortController();
      const stream = await fetch(`${b.urls.api}/api/v1/events`, { headers: admin, signal: abort.signal });
      expect(stream.status).toBe(200);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const statusEvents = () =>
        [...text.matchAll(/event: device:status\ndata: (.*)\n/g)].map(
          (m) => JSON.parse(m[1] as string) as { device: string; previous: string; status: string },
        );
      try {
        const created = await api(a, '/api/v1/routers', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'r3', host: '127.0.0.1', driver: 'lab' }),
        });
        expect(created.status).toBe(201);
        // B learns of r3 before the poller does: a status filter shows it nowhere but unknown.
        await b.syncNow();
        const online = async () =>
          ((await (await api(b, '/api/v1/routers?status=online')).json()) as { total: number }).total;
        expect(await online()).toBe(1);
        await poller.syncNow();
        for (let i = 0; i < 100 && !statusEvents().some((e) => e.device === 'r3'); i++) {
          await new Promise((r) => setTimeout(r, 100));
          await b.syncNow();
          // Read what has arrived without waiting for more.
          const chunk = await Promise.race([
            reader.read(),
            new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
          ]);
          if (chunk?.value) text += decoder.decode(chunk.value, { stream: true });
        }
        expect(statusEvents().filter((e) => e.device === 'r3')).toEqual([
          expect.objectContaining({ device: 'r3', previous: 'unknown', status: 'online' }),
        ]);
        // The filtered list kept since follows the recorded change.
        expect(await online()).toBe(2);
      } finally {
        abort.abort();
        await reader.cancel().catch(() => {});
      }
      // B's own registry shows r3 as unknown (it polls nothing); its metric shows the recorded fleet.
      expect(b.monitor.devices.get('r3')?.status).toBe('unknown');
      const metrics = await (await fetch(`${b.urls.metrics}/metrics`)).text();
      expect(metrics).toMatch(/^ispmonitor_routers_total\{status="online",view="fleet"\} 2$/m);
      expect(metrics).toMatch(/^ispmonitor_routers_total\{status="unknown",view="fleet"\} 0$/m);
    });

    it('a login session obtained on A works on B', async () => {
      const login = await fetch(`${a.urls.api}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(cookie).toMatch(/^ispm_session=/);
      const me = await fetch(`${b.urls.api}/api/v1/auth/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ id: 'user:admin', role: 'admin' });
      // Logging out on B ends the session on A too.
      expect(
        (await fetch(`${b.urls.api}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } })).status,
      ).toBe(200);
      expect((await fetch(`${a.urls.api}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
    });

    it('an API key created on A works on B, and its revocation on B holds on A', async () => {
      const res = await api(a, '/api/v1/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'grafana', role: 'viewer' }),
      });
      expect(res.status).toBe(201);
      const { key, id } = (await res.json()) as { key: string; id: string };
      const viewer = { authorization: `Bearer ${key}` };
      expect((await fetch(`${b.urls.api}/api/v1/routers`, { headers: viewer })).status).toBe(200);
      expect((await api(b, `/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${a.urls.api}/api/v1/routers`, { headers: viewer })).status).toBe(401);
    });

    it('the audit log read on either replica shows what was done through both', async () => {
      for (const r of [a, b]) {
        const { items } = (await (await api(r, '/api/v1/audit?pageSize=100')).json()) as {
          items: Array<{ action: string; target: string }>;
        };
        const actions = items.map((e) => e.action);
        // router.create through A, router.update through B, the login on A, the key made on A
        // and revoked through B.
        for (const action of [
          'router.create',
          'router.update',
          'auth.login',
          'apikey.create',
          'apikey.revoke',
        ])
          expect(actions, action).toContain(action);
      }
    });

    it('alerts the poller raised are listed by an API replica (never the leader: it evaluates and notifies nothing)', async () => {
      const created = await api(a, '/api/v1/routers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'dead', host: '127.0.0.9', driver: 'lab', lab: { fail: true } }),
      });
      expect(created.status).toBe(201);
      await poller.syncNow();
      let names: string[] = [];
      for (let i = 0; i < 100 && !names.includes('RouterDown'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        const body = (await (await api(b, '/api/v1/alerts')).json()) as {
          items: Array<{ labels: Record<string, string> }>;
        };
        names = body.items.filter((x) => x.labels.device === 'dead').map((x) => x.labels.alertname as string);
      }
      expect(names).toContain('RouterDown');
    });

    it('the poller serves health and metrics but no API; API replicas serve metrics too', async () => {
      expect((await fetch(`${poller.urls.api}/live`)).status).toBe(200);
      expect((await fetch(`${poller.urls.api}/ready`)).status).toBe(200);
      expect((await api(poller, '/api/v1/routers')).status).toBe(404);
      const pm = await (await fetch(`${poller.urls.metrics}/metrics/devices?target=r1`)).text();
      expect(pm).toMatch(/^device_up\{device="r1",site="BEY"\} 1$/m);
      expect((await fetch(`${a.urls.metrics}/metrics`)).status).toBe(200);
      // Device series come from the replica that polls the device; an API replica polls none.
      expect(await (await fetch(`${a.urls.metrics}/metrics/devices?target=r1`)).text()).toBe('');
    });
  },
);
