import { createRequire } from 'node:module';

/** The server package's version, read from its package.json (one source of truth). */
export const SERVER_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;
