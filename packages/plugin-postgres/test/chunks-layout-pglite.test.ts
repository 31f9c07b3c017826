import { afterAll } from 'vitest';
import { openPglite } from '../src/db/pglite.js';
import type { Db } from '../src/db/types.js';
import { layoutSuite } from './chunks-layout-suite.js';
import { MIN } from './support/harness.js';

const open: Db[] = [];
afterAll(async () => {
  for (const db of open) await db.close();
});
layoutSuite(
  async () => {
    const dbs = await Promise.all([openPglite({ memory: true }), openPglite({ memory: true })]);
    open.push(...dbs);
    return [dbs[0], dbs[1]] as [Db, Db];
  },
  {
    names: ['interface_in_octets_total', 'device_temperature_celsius'],
    fns: ['rate', 'avg', 'last'],
    steps: [MIN, 7 * MIN],
  },
);
