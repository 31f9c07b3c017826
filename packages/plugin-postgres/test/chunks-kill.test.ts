/**
 * kill -9 during maintenance: a child process runs the rounds (compaction in small batches, the
 * day merge, rollups) and is killed at a random point, several times; afterwards every sample is
 * there exactly once, and a restarted child finishes the work.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { openPg } from '../src/db/pg.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { count, HOUR, MIN, makeStorage, SetClock, T0 } from './support/harness.js';
import { pgMissing, startPgServer } from './support/pg-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'support', 'maintain-child.mjs');
const DIST = join(here, '..', 'dist', 'index.js');
const NAME = 'interface_in_octets_total';
const NOW = T0 + 26 * HOUR + 5 * MIN;

/** Runs the child; kills it `killAfterMs` after it is connected (undefined: lets it finish). */
function runChild(
  url: string,
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, url, String(NOW)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterMs !== undefined && out.startsWith('ready'))
        setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child failed: ${err}`));
      else resolve({ code, signal, out });
    });
  });
}

const missing =
  pgMissing() ?? (existsSync(DIST) ? undefined : 'dist not built (npx tsc -b packages/plugin-postgres)');
if (missing)
  describe.skip(`kill -9 during maintenance: ${missing}`, () => it('needs PostgreSQL and dist', () => {}));
else {
  describe('kill -9 during maintenance', () => {
    it('no sample lost or duplicated at any kill point; a restarted round finishes the work', {
      timeout: 300_000,
    }, async () => {
      const server = await startPgServer();
      try {
        const url = await server.createDatabase('kill');
        const db = await openPg({ url });
        try {
          await applyMigrations(db);
          const clock = new SetClock(NOW);
          const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
          // 8 devices × 20 interfaces, every minute for 26 hours, jittered: 249,600 rows.
          for (let m = 0; m < 26 * 60; m += 60) {
            const batch: Sample[] = [];
            for (let d = 0; d < 8; d++)
              for (let i = 0; i < 20; i++)
                for (let k = m; k < m + 60; k++)
                  batch.push({
                    name: NAME,
                    labels: { device: `k${d}`, ifName: `e${i}` },
                    value: BigInt(k) * 1_000_003n + BigInt(d * 1000 + i),
                    ts: T0 + k * MIN + ((k * 7919 + d) % 700),
                  });
            await storage.write(batch);
          }
          const before = await storage.rawSamples(NAME, {}, T0, NOW);
          expect(before).toHaveLength(8 * 20 * 26 * 60);
          // Seeded, so a failing kill point can be replayed.
          const rand = seededRandom(18);
          const kills: number[] = [];
          let killed = 0;
          for (let attempt = 0; attempt < 4; attempt++) {
            const after = Math.floor(rand() * 3000);
            kills.push(after);
            const r = await runChild(url, after);
            if (r.signal === null) break; // it finished before the kill
            killed++;
            // Whatever point it died at: every sample once, from rows or chunks.
            expect(await storage.rawSamples(NAME, {}, T0, NOW), `killed after ${after} ms`).toEqual(before);
          }
          // Rounds take seconds here: at least one kill lands mid-work.
          expect(killed, `kill points ${kills.join(', ')} ms`).toBeGreaterThan(0);
          const done = await runChild(url);
          expect(done.out).toContain('done');
          expect(await storage.rawSamples(NAME, {}, T0, NOW)).toEqual(before);
          // Resumed to the end: the closed windows are chunks, the day merged into one per series.
          expect(await count(db, 'ispm_samples', 'ts < $1', [new Date(T0 + 24 * HOUR).toISOString()])).toBe(
            0,
          );
          expect(
            await count(db, 'ispm_chunks', 'start_ts >= $1 AND start_ts < $2', [
              new Date(T0).toISOString(),
              new Date(T0 + 24 * HOUR).toISOString(),
            ]),
          ).toBe(8 * 20);
          expect(await count(db, 'pg_class', "relname LIKE 'ispm_chunks_p%_merged'")).toBe(0);
        } finally {
          await db.close();
        }
      } finally {
        await server.stop();
      }
    });
  });
}
