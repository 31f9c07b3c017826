// A maintenance round in a process of its own, for the kill -9 test (chunks-kill.test.ts): runs
// rounds (compaction in small batches, the day merge, rollups) at a fixed time until one has
// nothing left to do. Prints "ready" once connected and "done" at the end. Uses the built
// package (dist), as the server does.
import { openPg, runMaintenance } from '../../dist/index.js';

const [url, now] = process.argv.slice(2);
const DAY = 86_400_000;
const db = await openPg({ url, max: 1 });
process.stdout.write('ready\n');
for (;;) {
  const r = await runMaintenance(
    db,
    {
      retention: {
        raw: 7 * DAY,
        rollup5m: 90 * DAY,
        rollup1h: 730 * DAY,
        statusHistory: 400 * DAY,
        inventoryHistory: 180 * DAY,
      },
      rollups: true,
      latenessMs: 30 * 60_000,
      partitionsAheadDays: 1,
      rollupStatementTimeoutMs: 600_000,
      chunks: { hotMs: 2 * 3_600_000, batchRows: 2_000 },
    },
    Number(now),
  );
  if ((r.compaction?.windows ?? 0) === 0 && (r.merged?.days ?? 0) === 0) break;
}
process.stdout.write('done\n');
await db.close();
