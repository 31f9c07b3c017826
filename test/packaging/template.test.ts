import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureBuilt,
  type Packed,
  packWorkspaces,
  pluginTemplate,
  repoRoot,
  run,
} from './support/workspace.js';

/**
 * examples/plugin-template as a plugin author starts from it: the folder alone, copied out of the
 * repository, `npm install` (our packages are not on the registry yet, so core and the alerts
 * plugin, whose notifier token the template provides, come from their tarballs), `npm test`, `npm pack`. Nothing in it may reach back into the repository.
 */

let tmp = '';
let plugin = '';
let core: Packed;
let alertsPlugin: Packed;

/** The environment of a child npm: ours without vitest's worker variables (they confuse a child vitest). */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

beforeAll(async () => {
  await ensureBuilt(['packages/core', 'packages/plugin-alerts']);
  tmp = await mkdtemp(join(tmpdir(), 'ispm-template-'));
  const tarballs = join(tmp, 'tarballs');
  plugin = join(tmp, 'my-plugin');
  await mkdir(tarballs);
  [core, alertsPlugin] = (await packWorkspaces(['packages/core', 'packages/plugin-alerts'], tarballs)) as [
    Packed,
    Packed,
  ];
  // What `cp -r examples/plugin-template my-plugin` gives an author: sources, not build output.
  await cp(join(repoRoot, pluginTemplate), plugin, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)([/\\]|$)/.test(relative(repoRoot, src)),
  });
}, 600_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('examples/plugin-template copied out alone', () => {
  it('has no path that leaves its own folder', async () => {
    const offenders: string[] = [];
    for await (const f of files(plugin)) {
      const text = await readFile(f, 'utf8');
      if (/\.\.\/\.\.\//.test(text)) offenders.push(relative(plugin, f));
    }
    expect(offenders).toEqual([]);
    expect(existsSync(join(plugin, 'LICENSE'))).toBe(true);
  });

  it('installs with npm (core and plugin-alerts from their tarballs, the rest from the registry)', async () => {
    const res = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', core.filename, alertsPlugin.filename],
      {
        cwd: plugin,
        timeoutMs: 400_000,
        env: cleanEnv(),
      },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(plugin, 'node_modules/@ispmonitor/core/dist/index.js'))).toBe(true);
    expect(existsSync(join(plugin, 'node_modules/@ispmonitor/plugin-alerts/dist/index.js'))).toBe(true);
  }, 420_000);

  it('passes its own tests with `npm test`', async () => {
    const res = await run('npm', ['test', '--', '--reporter=verbose'], {
      cwd: plugin,
      timeoutMs: 240_000,
      env: cleanEnv(),
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(res.stdout).not.toMatch(/failed/);
  }, 260_000);

  it('packs with `npm pack` (built, strict types, its LICENSE, no tests)', async () => {
    const res = await run('npm', ['pack', '--json'], { cwd: plugin, timeoutMs: 240_000, env: cleanEnv() });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const [packed] = JSON.parse(res.stdout.slice(res.stdout.indexOf('[\n'))) as [
      { files: { path: string }[] },
    ];
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts']),
    );
    expect(
      paths.filter((p) => p.startsWith('src/') || p.startsWith('test/') || p.includes('tsbuildinfo')),
    ).toEqual([]);
    // npm pack in the author's folder leaves the tarball there, with the LICENSE still in place.
    expect(existsSync(join(plugin, 'LICENSE'))).toBe(true);
  }, 260_000);
});
