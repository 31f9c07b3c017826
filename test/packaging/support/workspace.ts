import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The repository root (this file is test/packaging/support/workspace.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `ispmonitor` arguments of a two-router demo without history on the given ports: it starts fast. */
export function smallDemoArgs(apiPort: number, metricsPort: number): string[] {
  return [
    'demo',
    '--routers',
    '2',
    '--no-history',
    '--api-port',
    `${apiPort}`,
    '--metrics-port',
    `${metricsPort}`,
  ];
}

/** Workspaces published to npm, in dependency order (core first). */
export const publishable = [
  'packages/core',
  'packages/plugin-snmp',
  'packages/plugin-mikrotik',
  'packages/plugin-postgres',
  'packages/plugin-alerts',
  'packages/plugin-cluster',
  'packages/plugin-remote-write',
  'packages/simulator',
  'examples/server',
] as const;

/** The private example a plugin author copies: packed too, so its published shape is proven. */
export const pluginTemplate = 'examples/plugin-template';

/** Plugins and the simulator: everything that must take `@ispmonitor/core` as a peer (the server depends on it). */
export const needsCorePeer = publishable.filter((p) => p !== 'packages/core' && p !== 'examples/server');

/** Files a package ships besides dist/ and the three documents, by folder prefix. */
export const extraShipped: Record<string, string[]> = {
  // The declarations of net-snmp, referenced by dist/index.d.ts (net-snmp ships none).
  'packages/plugin-snmp': ['types/'],
  // Committed launchers of the bin entries (linked by npm before dist/ exists).
  'packages/simulator': ['bin/'],
  // The launcher and the built web UI (npm packs any README.md, so the UI folder's comes along).
  'examples/server': ['bin/', 'ui/dist/', 'ui/README.md'],
};

/** Result of a finished child process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion and returns its output, never throwing on a non-zero exit (the
 * caller asserts on it, so a failure shows the child's output). Killed after `timeoutMs`.
 */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Builds the workspaces with `tsc -b` (incremental: quick when dist is current). Always run, not
 * only when dist is missing: a dist left over from older sources packs files that import modules
 * which no longer exist.
 */
export async function ensureBuilt(dirs: readonly string[]): Promise<void> {
  await execFileP('npx', ['tsc', '-b', ...dirs], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  // The server's package ships the built web UI.
  if (dirs.includes('examples/server'))
    await execFileP(
      'npx',
      ['vite', 'build', '--config', 'examples/server/ui/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: repoRoot,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
}

/** One packed tarball, as `npm pack --json` describes it. */
export interface Packed {
  name: string;
  version: string;
  filename: string;
  files: string[];
}

/** Packs the given workspaces into `dest` (runs their prepack/postpack scripts, as publish would). */
export async function packWorkspaces(dirs: readonly string[], dest: string): Promise<Packed[]> {
  const args = ['pack', '--json', '--pack-destination', dest, ...dirs.flatMap((d) => ['-w', d])];
  const res = await run('npm', args, { cwd: repoRoot, timeoutMs: 180_000 });
  if (res.code !== 0) throw new Error(`npm pack failed (${res.code}):\n${res.stderr}`);
  // Lifecycle scripts may print before the JSON; it is the last top-level array in stdout.
  const json = res.stdout.slice(res.stdout.indexOf('[\n'));
  const out = JSON.parse(json) as Array<{
    name: string;
    version: string;
    filename: string;
    files: { path: string }[];
  }>;
  return out.map((p) => ({
    name: p.name,
    version: p.version,
    filename: join(dest, p.filename),
    files: p.files.map((f) => f.path),
  }));
}

/**
 * Builds and packs `dirs` into a new temporary folder (`prefix…`) and makes an empty folder
 * `project` beside the tarballs, where a test installs them as a user's project would.
 */
export async function packForProject(
  dirs: readonly string[],
  prefix: string,
  project: string,
): Promise<{ tmp: string; project: string; packed: Packed[] }> {
  await ensureBuilt(dirs);
  const tmp = await mkdtemp(join(tmpdir(), prefix));
  const tarballs = join(tmp, 'tarballs');
  const dir = join(tmp, project);
  await Promise.all([mkdir(tarballs), mkdir(dir)]);
  return { tmp, project: dir, packed: await packWorkspaces(dirs, tarballs) };
}
