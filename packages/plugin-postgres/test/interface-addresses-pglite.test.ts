import { afterAll } from 'vitest';
import { interfaceAddressSuite } from './interface-addresses-suite.js';
import { closeSharedPglite, emptySharedPglite } from './support/pglite.js';

// One in-memory PGlite for the file (it takes seconds to start); each test empties its schema.
afterAll(closeSharedPglite);

interfaceAddressSuite(emptySharedPglite);
