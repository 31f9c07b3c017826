import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli, type Served, startServe, useCliFleet } from './support/cli.js';

const KEY = 'ispm_serve_test_admin_key_0123456789abcdefghij';
let config: string;

/** Starts `ispmonitor serve` on the test's config and waits for the line that names its listeners. */
const serve = (): Promise<Served> => startServe(config);

const auth = { authorization: `Bearer ${KEY}` };

const env = useCliFleet(
  'ispm-serve-',
  { count: 3, interfaces: 2, community: 'servetest' },
  ({ dir, fleet }) => {
    const devices = fleet.devices.slice(0, 2).map((d) => ({
      id: d.id,
      host: d.host,
      port: d.port,
      driver: 'snmp',
      interval: '1s',
      snmp: { version: '2c', community: 'servetest' },
    }));
    config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      stringify({
        api: { host: '127.0.0.1', port: 0 },
        metrics: { host: '127.0.0.1', port: 0 },
        database: { dataDir: join(dir, 'pglite') },
        devices,
        server: { auth: { adminApiKey: KEY, initialPasswordFile: join(dir, 'secret', 'admin-password') } },
      }),
    );
  },
);
const { dir } = env;

describe('ispmonitor serve (real process, real time)', () => {
  it('serves, streams events, shuts down cleanly on SIGTERM, and keeps state across restarts', async () => {
    const s = await serve();
    try {
      expect((await fetch(`${s.api}/live`)).status).toBe(200);
      expect((await fetch(`${s.api}/api/v1/routers`)).status).toBe(401);

      // First start: the generated admin password is in a file only this user reads, never in
      // the output; it logs in.
      const passwordFile = join(dir, 'secret', 'admin-password');
      expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(s.stdout()).toContain(passwordFile);
      expect(s.stdout() + s.stderr()).not.toContain(password);
      const login = await fetch(`${s.api}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);

      // Server-sent events: the stream announces a router added through the API and its status.
      const controller = new AbortController();
      const events = await fetch(`${s.api}/api/v1/events`, { headers: auth, signal: controller.signal });
      expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = (events.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const third = env.fleet.devices[2]!;
      const created = await fetch(`${s.api}/api/v1/routers`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'api-added',
          host: third.host,
          port: third.port,
          driver: 'snmp',
          interval: '1s',
          snmp: { version: '2c', community: 'servetest' },
        }),
      });
      expect(created.status).toBe(201);
      const until = Date.now() + 15_000;
      while (
        !/event: device:status\ndata: \{"device":"api-added"[^\n]*"status":"online"/.test(text) &&
        Date.now() < until
      ) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      expect(text).toMatch(/event: hello/);
      expect(text).toMatch(/event: device:added\ndata: \{"device":"api-added"\}/);
      expect(text).toMatch(/"device":"api-added".*"status":"online"/);

      const metrics = await (await fetch(`${s.metrics}/metrics/devices?target=api-added`)).text();
      expect(metrics).toMatch(/device_up\{device="api-added"\} 1/);
    } finally {
      // An orderly stop is shown by its exit code and its last log line, not by a time bound
      // (a hang fails the test by its timeout).
      s.child.kill('SIGTERM');
      const code = await s.exited;
      expect(code, s.stderr()).toBe(0);
      expect(s.stderr()).toMatch(/shutdown complete/);
    }

    // Second run on the same data folder: the API router, the key and the audit log survived.
    const again = await serve();
    try {
      expect(again.stdout()).not.toMatch(/created user/);
      const r = await fetch(`${again.api}/api/v1/routers/api-added`, { headers: auth });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { origin: string }).origin).toBe('store');
      const audit = (await (await fetch(`${again.api}/api/v1/audit`, { headers: auth })).json()) as {
        items: Array<{ action: string; target: string }>;
      };
      expect(
        audit.items.some(
          (e: { action: string; target: string }) => e.action === 'router.create' && e.target === 'api-added',
        ),
      ).toBe(true);
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }

    // A lost admin password: reset offline with the CLI (PGlite has one owner), into a 0600 file.
    const resetFile = join(dir, 'secret', 'reset-password');
    const reset = await runCli(['user', 'reset-password', 'admin', '--out', resetFile, '-c', config]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(statSync(resetFile).mode & 0o777).toBe(0o600);
    const fresh = readFileSync(resetFile, 'utf8').trim();
    expect(reset.stdout + reset.stderr).not.toContain(fresh);
    expect((await runCli(['user', 'reset-password', 'nobody', '--out', resetFile, '-c', config])).code).toBe(
      2,
    );
    const third = await serve();
    try {
      const login = (password: string) =>
        fetch(`${third.api}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
      expect((await login(fresh)).status).toBe(200);
      expect((await login(readFileSync(join(dir, 'secret', 'admin-password'), 'utf8').trim())).status).toBe(
        401,
      );
    } finally {
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
    }
  }, 240_000);
});
