import pkg from '../package.json' with { type: 'json' };

/**
 * This package's version, sent in the User-Agent.
 * Read from package.json when built, so it cannot drift from the published one.
 */
export const VERSION: string = pkg.version;
