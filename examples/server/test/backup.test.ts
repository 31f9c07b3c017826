import { join } from 'node:path';
import { skipTitle } from '@ispmonitor/core/testing';
import { checkDatabase } from '@ispmonitor/plugin-postgres';
import { describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { type RunningServer, runServer } from '../src/run-server.js';
import { parseServerConfig } from '../src/server-config.js';
import { labDriver } from './support/lab-driver.js';
// The storage plugin's throw-away PostgreSQL (initdb + pg_ctl as the postgres user, loopback only).
import { pgForBlock, pgUnavailable } from './support/pg.js';

const missing = pgUnavailable();
const KEY = 'ispm_backup_test_admin_key_0123456789abcdefghij';

/** A server on `url` with the lab driver, listening on free loopback ports. */
async function start(url: string): Promise<RunningServer> {
  const { config, secrets } = (await readConfig(undefined, { DATABASE_URL: url, LOG_LEVEL: 'warn' })).loaded;
  config.api = { host: '127.0.0.1', port: 0 };
  config.metrics = { host: '127.0.0.1', port: 0 };
  const monitor = await assemble(config, secrets, { plugins: [labDriver()] });
  return runServer(monitor, config, parseServerConfig({ auth: { adminApiKey: KEY } }, {}), {
    print: () => {},
  });
}

describe.skipIf(missing)(skipTitle('backup and restore with pg_dump / pg_restore', missing), () => {
  const pg = pgForBlock();

  it('restores routers, API keys and the audit log into a new database, as docs/operations.md says', async () => {
    const url = await pg().createDatabase('ispm');
    const first = await start(url);
    const admin = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    let viewerKey: string;
    try {
      const r = await fetch(`${first.urls.api}/api/v1/routers`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          id: 'kept-router',
          host: '127.0.0.1',
          driver: 'lab',
          labels: { site: 'BEY' },
        }),
      });
      expect(r.status).toBe(201);
      const k = await fetch(`${first.urls.api}/api/v1/keys`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'noc', role: 'viewer' }),
      });
      viewerKey = ((await k.json()) as { key: string }).key;
    } finally {
      await first.shutdown();
    }

    // The documented commands: pg_dump --format=custom, createdb, pg_restore --no-owner.
    const dump = join(pg().dir, 'ispmonitor.dump');
    await pg().tool('pg_dump', ['--format=custom', `--file=${dump}`, url]);
    const restored = await pg().createDatabase('ispm_restored');
    await pg().tool('pg_restore', ['--no-owner', `--dbname=${restored}`, dump]);
    expect(await checkDatabase(restored)).toMatchObject({ ok: true });

    const second = await start(restored);
    try {
      const router = await fetch(`${second.urls.api}/api/v1/routers/kept-router`, {
        headers: { authorization: `Bearer ${viewerKey}` },
      });
      expect(router.status).toBe(200);
      expect(await router.json()).toMatchObject({
        id: 'kept-router',
        origin: 'store',
        labels: { site: 'BEY' },
      });
      const audit = (await (await fetch(`${second.urls.api}/api/v1/audit`, { headers: admin })).json()) as {
        items: Array<{ action: string }>;
      };
      expect(audit.items.map((e: { action: string }) => e.action)).toEqual(
        expect.arrayContaining(['router.create', 'apikey.create']),
      );
    } finally {
      await second.shutdown();
    }
  }, 120_000);
});
