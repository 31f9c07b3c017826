import pkg from '../package.json' with { type: 'json' };

/**
 * This package's version (the plugin's `version`).
 * Read from package.json when built, so it cannot drift from the published one.
 */
export const VERSION: string = pkg.version;
