import { afterAll, beforeAll } from 'vitest';
import { closeSharedPglite, sharedPglite } from './support/pglite.js';
import { storeSuite } from './support/store-suite.js';

// One in-memory PGlite for the whole file. It takes seconds to start, a minute on a loaded
// machine: started here, under the hook's timeout, so the first test is not charged for it.
beforeAll(async () => {
  await sharedPglite();
}, 240_000);
afterAll(closeSharedPglite);
storeSuite(sharedPglite);
