import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SnmpFleet, startSnmpFleet } from '@ispmonitor/simulator';
import { afterAll, beforeAll } from 'vitest';

/** The repository root and the compiled CLI. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Compiles the server (and what it references) so tests run the real `ispmonitor` binary. */
export function buildCli(): void {
  execFileSync('npx', ['tsc', '-b', 'examples/server'], { cwd: ROOT, stdio: 'pipe' });
  if (!existsSync(CLI)) throw new Error(`${CLI} missing after the build`);
}

/** What a CLI test file runs against, see {@link useCliFleet}. */
export interface CliFleet {
  /** A temporary folder for the file's configs and data, removed after its tests. */
  dir: string;
  /** Simulated SNMP routers on loopback (filled in before the tests run). */
  fleet: SnmpFleet;
}

/**
 * The set-up the CLI test files share, registered at the calling level: the folder is made at
 * once; before all tests the CLI is built, the fleet started and `prepare` run (configs to
 * write); after them the fleet stops and the folder goes.
 */
export function useCliFleet(
  prefix: string,
  fleetOptions: Parameters<typeof startSnmpFleet>[0],
  prepare?: (env: CliFleet) => void | Promise<void>,
): CliFleet {
  const env = { dir: mkdtempSync(join(tmpdir(), prefix)) } as CliFleet;
  beforeAll(async () => {
    buildCli();
    env.fleet = await startSnmpFleet(fleetOptions);
    await prepare?.(env);
  }, 180_000);
  afterAll(async () => {
    await env.fleet?.close();
    rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ispmonitor …` to completion (or kills it after `timeoutMs`). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `ispmonitor serve`, see {@link startServe}. */
export interface Served {
  child: ChildProcess;
  /** The API's and the metrics' URLs, from the log line that names the listeners. */
  api: string;
  metrics: string;
  /** What it wrote so far. */
  stderr: () => string;
  stdout: () => string;
  /** Its exit code once it has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `ispmonitor serve -c <configFile>` from `cwd` (the repository root unless given), with
 * only PATH, `LOG_LEVEL=info` and `env` in its environment, and waits for the log line that names
 * its listeners; fails if it exits first or does not start within `timeoutMs`.
 */
export function startServe(
  configFile: string,
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '-c', configFile], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...options.env },
  });
  let err = '';
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start:\n${err}`)),
      options.timeoutMs ?? 60_000,
    );
    child.stderr?.on('data', (d) => {
      err += d;
      const line = err.split('\n').find((l) => l.includes('"ispmonitor serving"'));
      if (line) {
        clearTimeout(timer);
        const j = JSON.parse(line);
        resolve({ child, api: j.api, metrics: j.metrics, stderr: () => err, stdout: () => out, exited });
      }
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}:\n${err}`)));
  });
}
