import { skipTitle } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { type RunningServer, runServer } from '../src/run-server.js';
import { parseServerConfig } from '../src/server-config.js';
import { labDriver } from './support/lab-driver.js';
import { pgForBlock, pgUnavailable } from './support/pg.js';

const missing = pgUnavailable();
const KEY = 'ispm_cluster_test_admin_key_0123456789abcdefghij';

describe('CLUSTER=postgres', () => {
  it('needs a shared PostgreSQL: without DATABASE_URL it is a config error saying so', async () => {
    const { config, secrets } = (await readConfig(undefined, { CLUSTER: 'postgres', LOG_LEVEL: 'silent' }))
      .loaded;
    await expect(assemble(config, secrets, { plugins: [labDriver()] })).rejects.toThrow(
      /cluster\.mode: "postgres" needs database\.url \(DATABASE_URL\)/,
    );
  });
});

describe.skipIf(missing)(skipTitle('CLUSTER=postgres with a real PostgreSQL', missing), () => {
  const pg = pgForBlock();

  it('adds the cluster plugin, and the API shows which replica polls which device', async () => {
    const url = await pg().createDatabase('ispm_cluster');
    const env = { DATABASE_URL: url, CLUSTER: 'postgres', LOG_LEVEL: 'warn' };
    const { config, secrets } = (await readConfig(undefined, env)).loaded;
    config.api = { host: '127.0.0.1', port: 0 };
    config.metrics = { host: '127.0.0.1', port: 0 };
    config.plugins.cluster = { replica: 'replica-a', heartbeatInterval: '200ms' };
    const devices = [1, 2, 3].map((i) => ({
      id: `r${i}`,
      host: '127.0.0.1',
      driver: 'lab',
      interval: '1s',
    }));
    const monitor = await assemble(config, secrets, { plugins: [labDriver()], devices });
    let server: RunningServer | undefined;
    try {
      server = await runServer(monitor, config, parseServerConfig({ auth: { adminApiKey: KEY } }, {}), {
        print: () => {},
      });
      const headers = { authorization: `Bearer ${KEY}` };
      let snapshot: { replicas: Array<{ replica: string }>; devices: Record<string, string[]> } | undefined;
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${server.urls.api}/api/v1/cluster`, { headers });
        expect(res.status).toBe(200);
        snapshot = (await res.json()) as typeof snapshot;
        if (snapshot?.devices['replica-a']?.length === 3 && monitor.devices.get('r1')?.status === 'online')
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(snapshot?.replicas.map((r) => r.replica)).toContain('replica-a');
      expect(snapshot?.devices['replica-a']?.sort()).toEqual(['r1', 'r2', 'r3']);
      expect(monitor.devices.get('r1')?.status).toBe('online');
      const diag = (await (await fetch(`${server.urls.api}/api/v1/diagnostics`, { headers })).json()) as {
        cluster?: unknown;
      };
      expect(diag.cluster).toBeDefined();
      const text = await (await fetch(`${server.urls.metrics}/metrics`)).text();
      expect(text).toMatch(/ispmonitor_cluster_buckets_owned \d+/);
      expect(text).not.toContain(url.split('@')[0]?.split(':').at(-1) ?? 'no-password');
    } finally {
      await server?.shutdown();
      await monitor.stop();
    }
  }, 60_000);
});
