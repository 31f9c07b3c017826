/**
 * Debian's net-snmp command-line tools (package `snmp`) and the shared recordings, with the
 * skip-or-fail rule of the project (core/testing `missingPeer`): a missing tool fails a strict
 * run and skips with why elsewhere; absent recordings skip with "shared data absent".
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { missingBinary, skipTitle } from '@ispmonitor/core/testing';
import { sharedData } from '../../../../test/support/shared-data.js';

const run = promisify(execFile);

/** `undefined` when `bin` exists; else the reason to skip. Throws in strict mode. */
export function missingTool(bin: string, pkg: string): string | undefined {
  return missingBinary(bin, pkg);
}

/** Runs a net-snmp tool with numeric OIDs and returns its output lines. */
export async function snmpTool(bin: string, args: string[]): Promise<string[]> {
  // -On numeric OIDs, -Oe numeric enums, -Ot raw timeticks, -Ox hex strings: output we can compare.
  const { stdout } = await run(bin, ['-On', '-Oe', '-Ot', '-Le', ...args], {
    timeout: 20_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' },
  });
  return stdout.split('\n').filter((l) => l.length > 0);
}

const recordings = sharedData('snmprec');
/** The recordings folder (it may be absent). */
export const snmprecDir = recordings.path;
/** Why tests that read the recordings are skipped, or undefined when they are here. */
export const noSnmprec = recordings.absent;

/** A test title that carries the reason when the test is skipped, so the report says why. */
export const titled = skipTitle;
