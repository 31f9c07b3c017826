import { existsSync } from 'node:fs';

/**
 * The one rule for a test that needs a peer (a database server, a binary, a browser): where the
 * peer is missing the test is skipped and says why, except in strict mode, where the missing peer
 * fails the file — so a run without PostgreSQL cannot come out green. `scripts/test.sh` (what
 * `npm test` and CI run) turns strict mode on; a developer's bare `npx vitest run` does not.
 */

/** The environment variable that turns strict mode on (`1`) or off (`0`). */
export const STRICT_TESTS_ENV = 'ISPM_STRICT_TESTS';

/**
 * Whether a missing peer must fail the run: `ISPM_STRICT_TESTS=1` (or any value but `0`/`false`);
 * when that is unset, a set `CI` means strict too (CI services set it).
 */
export function strictTests(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env[STRICT_TESTS_ENV];
  if (flag !== undefined && flag !== '') return flag !== '0' && flag.toLowerCase() !== 'false';
  return env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
}

/** Thrown in strict mode where a test would otherwise have been skipped for a missing peer. */
export class MissingPeerError extends Error {
  override name = 'MissingPeerError';
}

/**
 * Passes through why a peer is missing (`undefined` when it is there), for `describe.skipIf(…)`;
 * in strict mode a reason is thrown instead, which fails the test file at once.
 *
 * @example
 * const missing = missingPeer(existsSync(INITDB) ? undefined : `${INITDB} not found (Debian package postgresql)`);
 * describe.skipIf(missing)(skipTitle('on PostgreSQL 15', missing), () => { … });
 */
export function missingPeer(
  reason: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (reason === undefined) return undefined;
  if (strictTests(env)) {
    throw new MissingPeerError(
      `${reason} — tests run strict (${STRICT_TESTS_ENV}), so a missing peer fails the run`,
    );
  }
  return reason;
}

/** {@link missingPeer} for an executable: the reason names the Debian package that installs it. */
export function missingBinary(path: string, debianPackage: string, env: NodeJS.ProcessEnv = process.env) {
  return missingPeer(
    existsSync(path) ? undefined : `${path} not found (Debian package ${debianPackage})`,
    env,
  );
}

/**
 * A test title that carries the skip reason when there is one, so the report (and the strict
 * summary's allowed-skips list) can tell why it was skipped.
 */
export function skipTitle(title: string, reason: string | undefined): string {
  return reason === undefined ? title : `${title} (skipped: ${reason})`;
}
