import pkg from '../package.json' with { type: 'json' };

/**
 * The server package's version.
 * Read from package.json when built, so it cannot drift from the published one.
 */
export const SERVER_VERSION: string = pkg.version;
