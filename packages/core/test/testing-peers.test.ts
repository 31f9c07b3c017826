/**
 * Strict tests: a missing peer skips with its reason outside strict mode and fails inside it
 * (core/testing `missingPeer`), and the summary of a strict run (scripts/test-summary.mjs) fails
 * on a skip that test/allowed-skips.json does not list.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  MissingPeerError,
  missingBinary,
  missingPeer,
  skipTitle,
  strictTests,
} from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('missingPeer', () => {
  it('is strict with ISPM_STRICT_TESTS=1, or with CI when ISPM_STRICT_TESTS is unset', () => {
    expect(strictTests({})).toBe(false);
    expect(strictTests({ ISPM_STRICT_TESTS: '1' })).toBe(true);
    expect(strictTests({ ISPM_STRICT_TESTS: '0', CI: 'true' })).toBe(false);
    expect(strictTests({ CI: 'true' })).toBe(true);
    expect(strictTests({ CI: 'false' })).toBe(false);
  });

  it('passes the reason through outside strict mode, for describe.skipIf', () => {
    expect(missingPeer(undefined, {})).toBeUndefined();
    expect(missingPeer('no initdb', {})).toBe('no initdb');
    expect(skipTitle('on PostgreSQL', 'no initdb')).toBe('on PostgreSQL (skipped: no initdb)');
    expect(skipTitle('on PostgreSQL', undefined)).toBe('on PostgreSQL');
  });

  it('throws the reason in strict mode', () => {
    expect(() => missingPeer('no initdb', { ISPM_STRICT_TESTS: '1' })).toThrow(MissingPeerError);
    expect(() => missingPeer('no initdb', { ISPM_STRICT_TESTS: '1' })).toThrow(/no initdb/);
    expect(missingPeer(undefined, { ISPM_STRICT_TESTS: '1' })).toBeUndefined();
  });

  it('names the Debian package of a missing binary', () => {
    expect(missingBinary(process.execPath, 'nodejs', { ISPM_STRICT_TESTS: '1' })).toBeUndefined();
    expect(missingBinary('/nonexistent/initdb', 'postgresql', {})).toBe(
      '/nonexistent/initdb not found (Debian package postgresql)',
    );
    expect(() => missingBinary('/nonexistent/initdb', 'postgresql', { CI: '1' })).toThrow(/postgresql/);
  });
});

describe('scripts/test-summary.mjs', () => {
  const script = fileURLToPath(new URL('../../../scripts/test-summary.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'ispm-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const report = join(dir, 'report.json');
  writeFileSync(
    report,
    JSON.stringify({
      numPassedTests: 1,
      numFailedTests: 0,
      testResults: [
        {
          name: '/repo/a.test.ts',
          assertionResults: [
            { fullName: 'a works', status: 'passed' },
            { fullName: 'recordings (skipped: shared data absent: /x) read', status: 'skipped' },
            { fullName: 'on PostgreSQL 15 (skipped: initdb not found) stores', status: 'skipped' },
          ],
        },
      ],
    }),
  );
  const allowed = join(dir, 'allowed.json');
  writeFileSync(
    allowed,
    JSON.stringify({ '(skipped: shared data absent': 'recordings are outside the repo' }),
  );

  /** Runs the summary; resolves with its exit code and output. */
  const summary = async (env: Record<string, string>, ...extra: string[]) => {
    const base = { PATH: process.env.PATH ?? '' };
    try {
      const { stdout } = await run(process.execPath, [script, report, '--allowed', allowed, ...extra], {
        env: { ...base, ...env },
      });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, stdout: e.stdout };
    }
  };

  it('prints the closing line and passes skips outside strict mode', async () => {
    const r = await summary({});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tests: 1 passed, 0 failed, 2 skipped');
  });

  it('fails a strict run on a skip that is not allowed, naming it', async () => {
    const r = await summary({ ISPM_STRICT_TESTS: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('SKIPPED, not allowed: on PostgreSQL 15 (skipped: initdb not found) stores');
    expect(r.stdout).toContain('1 skipped as allowed');
    expect(r.stdout).not.toContain('not allowed: recordings');
  });

  it('lists but does not fail skips of a run filtered by name (-t)', async () => {
    const r = await summary({ CI: '1' }, '--filtered');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SKIPPED, not allowed');
  });
});
