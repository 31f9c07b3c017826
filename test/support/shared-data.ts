/**
 * Where tests find the device recordings (snmprec files, captured RouterOS replies): the
 * `../shared/data` folder beside the repository, which is not part of it, or the folder named by
 * `ISPM_SHARED_DATA`. A clone without it skips the tests that replay recordings, and says so in
 * the test title with the words "shared data absent" — the one skip a strict run allows
 * (test/allowed-skips.json). A folder named by ISPM_SHARED_DATA that is not there is an error:
 * a typo must not turn into a quiet skip.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that points the tests at another copy of the shared data. */
export const SHARED_DATA_ENV = 'ISPM_SHARED_DATA';

function root(): string {
  const named = process.env[SHARED_DATA_ENV];
  if (named === undefined || named === '')
    return fileURLToPath(new URL('../../../shared/data', import.meta.url));
  const dir = resolve(named);
  if (!existsSync(dir)) throw new Error(`${SHARED_DATA_ENV}=${named}: no such folder`);
  return dir;
}

/** The shared data folder (it may be absent). */
export const sharedDataDir = root();

/** A path inside the shared data, and why tests that read it are skipped (`undefined` when present). */
export interface SharedData {
  path: string;
  absent: string | undefined;
}

/** `sharedData('snmprec')`, `sharedData('routeros')`, `sharedData('snmprec/routeros.snmprec')`. */
export function sharedData(sub: string): SharedData {
  const path = join(sharedDataDir, sub);
  return {
    path,
    absent: existsSync(path)
      ? undefined
      : `shared data absent: ${path} (set ${SHARED_DATA_ENV} to its folder)`,
  };
}
