import { afterAll } from 'vitest';
import { closeSharedPglite, sharedPglite } from './support/pglite.js';
import { storeSuite } from './support/store-suite.js';

// One in-memory PGlite for the whole file (it takes seconds to start).
afterAll(closeSharedPglite);
storeSuite(sharedPglite);
