/**
 * Debian's net-snmp command-line tools (package `snmp`) and the shared recordings, with the
 * skip-or-fail rule of the project: missing in CI fails loudly, missing elsewhere skips with why.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `undefined` when `bin` exists; else the reason to skip. Throws in CI. */
export function missingTool(bin: string, pkg: string): string | undefined {
  if (existsSync(bin)) return undefined;
  const why = `${bin} not found (Debian package ${pkg})`;
  if (process.env.CI) throw new Error(`${why}: CI must have it`);
  return why;
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

/** The shared data folder (`<repo root>/../shared/data`). */
export const sharedData = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));
/** The recordings folder, or undefined (with a reason) when absent. */
export const snmprecDir = `${sharedData}/snmprec`;
export const noSnmprec = existsSync(snmprecDir)
  ? undefined
  : `${snmprecDir} is absent: recordings are not in this checkout`;

/** A test title that carries the reason when the test is skipped, so the report says why. */
export function titled(title: string, skipReason: string | undefined): string {
  return skipReason ? `${title} (skipped: ${skipReason})` : title;
}
