/**
 * `startup: 'background'`: the monitor starts before the database is reached, with none of the
 * stored devices; once it is reached they are read (`ctx.devices.reload()`) and scheduled, never
 * written back to the store (before: each was `add`ed again, rewriting its row).
 */
import { createMonitor, definePlugin, tokens } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { postgres } from '../src/index.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const missing = pgMissing();

/** A driver whose polls answer nothing: the devices only need a kind to be valid. */
const idleDriver = definePlugin({
  name: 'idle-driver',
  version: '0.0.0',
  setup(ctx) {
    ctx.provide(tokens.Driver, { kind: 'idle', poll: async () => ({ samples: [] }) });
  },
});

describe.skipIf(missing)(`background start-up${missing ? ` (${missing})` : ''}`, () => {
  const pg = pgForBlock('ispm', { migrate: true });

  it('loads the stored devices once the database is reached, without writing them back', async () => {
    const db = await pg.db();
    const doc = { id: 'stored-1', host: '127.0.0.1', driver: 'idle', interval: '1h' };
    await db.query(
      `INSERT INTO ispm_devices (id, doc, updated_at) VALUES ($1, $2::jsonb, '2020-01-01T00:00:00Z')`,
      [doc.id, JSON.stringify(doc)],
    );
    const m = await createMonitor({
      plugins: [
        idleDriver(),
        postgres({ url: pg.url, startup: 'background', maintenance: { interval: '1h' } }),
      ],
      logger: createFakeLogger(),
    });
    const added = m.bus.next('device:added', (e) => e.device.id === 'stored-1');
    await m.start();
    await added;
    try {
      expect(m.devices.get('stored-1')).toMatchObject({ origin: 'store', device: { host: '127.0.0.1' } });
      const res = await db.query<{ t: string }>(
        "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS t FROM ispm_devices WHERE id = $1",
        ['stored-1'],
      );
      expect(res.rows[0]?.t).toBe('2020-01-01');
    } finally {
      await m.stop();
    }
  });
});
