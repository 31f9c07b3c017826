/** The subscriber recorder on a real PostgreSQL 15. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { MIN, T0 } from './support/harness.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';
import { makeRecorder, recorderSuite } from './support/subscribers-record.js';

const missing = pgMissing();
if (missing) console.warn(`skipping the recorder on PostgreSQL: ${missing}`);

describe.skipIf(missing)('subscriber recorder on PostgreSQL 15', () => {
  let server: PgServer;
  let db: Db;
  beforeAll(async () => {
    server = await startPgServer();
    db = await openPg({ url: await server.createDatabase('recorder') });
    await applyMigrations(db);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });
  recorderSuite(async () => db);

  // Last: it stops the server.
  it('the server itself stopped and started: an end that happened meanwhile is stored with its time', async () => {
    const { recorder } = makeRecorder(db);
    const r = { id: 'real-down', host: '127.0.0.1', driver: 'x', interval: '1m' };
    const fact = (user: string, id: string) => ({ id, user, callerId: `aa:bb:cc:dd:00:${id.slice(1)}` });
    recorder.facts(r, { pppoeSessions: [fact('sara', '*11'), fact('tina', '*12')] }, T0);
    await recorder.flush();
    await server.stopServer();
    recorder.facts(r, { pppoeSessions: [fact('sara', '*11')] }, T0 + MIN);
    expect((await recorder.flush()).error).toBeDefined();
    await server.startServer();
    expect((await recorder.flush()).error).toBeUndefined();
    const res = await db.query<{ username: string; e: number | null; reason: string | null }>(
      `SELECT username, (extract(epoch FROM ended_at) * 1000)::float8 AS e, end_reason AS reason
         FROM ispm_pppoe_sessions WHERE device = 'real-down' ORDER BY username`,
    );
    expect(res.rows.map((x) => ({ ...x, e: x.e === null ? null : Number(x.e) }))).toEqual([
      { username: 'sara', e: null, reason: null },
      { username: 'tina', e: T0 + MIN, reason: 'vanished' },
    ]);
  });
});
