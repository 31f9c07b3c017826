/** The subscriber recorder on a real PostgreSQL 15. */
import { describe, expect, it } from 'vitest';
import { MIN, T0 } from './support/harness.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';
import { makeRecorder, recorderSuite } from './support/subscribers-record.js';

const missing = pgMissing();
if (missing) console.warn(`skipping the recorder on PostgreSQL: ${missing}`);

describe.skipIf(missing)('subscriber recorder on PostgreSQL 15', () => {
  const pg = pgForBlock('recorder', { migrate: true });
  recorderSuite(() => pg.db());

  // Last: it stops the server.
  it('the server itself stopped and started: an end that happened meanwhile is stored with its time', async () => {
    const db = await pg.db();
    const { recorder } = makeRecorder(db);
    const r = { id: 'real-down', host: '127.0.0.1', driver: 'x', interval: '1m' };
    const fact = (user: string, id: string) => ({ id, user, callerId: `aa:bb:cc:dd:00:${id.slice(1)}` });
    recorder.facts(r, { pppoeSessions: [fact('sara', '*11'), fact('tina', '*12')] }, T0);
    await recorder.flush();
    await pg.server.stopServer();
    recorder.facts(r, { pppoeSessions: [fact('sara', '*11')] }, T0 + MIN);
    expect((await recorder.flush()).error).toBeDefined();
    await pg.server.startServer();
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
