#!/usr/bin/env node
/**
 * prepack/postpack helper of every publishable package: copies the repository's LICENSE into the
 * package folder before `npm pack`/`npm publish` (npm only packs files inside the package), and
 * removes the copy afterwards so the working tree keeps one LICENSE at the root.
 *
 *   node ../../scripts/license-copy.mjs add|remove     (run from a package folder)
 */
import { copyFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = join(dirname(fileURLToPath(import.meta.url)), '..', 'LICENSE');
const target = join(process.cwd(), 'LICENSE');

if (process.argv[2] === 'add') await copyFile(source, target);
else if (process.argv[2] === 'remove') await rm(target, { force: true });
else {
  console.error('usage: license-copy.mjs add|remove');
  process.exit(2);
}
