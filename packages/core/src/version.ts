import pkg from '../package.json' with { type: 'json' };

/**
 * The version of this package; plugins built against it are stamped with `^CORE_VERSION`.
 * Read from package.json when built, so it cannot drift from the published one.
 */
export const CORE_VERSION: string = pkg.version;
