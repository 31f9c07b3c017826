import { afterAll } from 'vitest';
import { importSuite } from './subscribers-query-import-suite.js';
import { subscriberSuite } from './subscribers-query-suite.js';
import { closeSharedPglite, emptySharedPglite } from './support/pglite.js';

// One in-memory PGlite for the file (it takes seconds to start); each test empties its schema.
afterAll(closeSharedPglite);

importSuite(emptySharedPglite);
subscriberSuite(emptySharedPglite);
