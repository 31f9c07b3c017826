import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer } from './support/consumer.js';
import { undeclaredImports } from './support/imports.js';
import {
  extraShipped,
  needsCorePeer,
  type Packed,
  packForProject,
  pluginTemplate,
  publishable,
  repoRoot,
  run,
} from './support/workspace.js';

/**
 * Packages whose folder has no README.md yet (their owners write them): every other package must
 * ship one, and a README that exists is always packed.
 */
const READMELESS = new Set<string>();

/**
 * Third-party packages a tarball imports without declaring them, as found today; their owners fix
 * the package.json. New gaps fail the test; these are installed beside the tarballs meanwhile so the
 * end-to-end checks still run.
 */
const KNOWN_UNDECLARED: Record<string, string[]> = {};

const workDirs = [...publishable, pluginTemplate];
let tmp = '';
let consumer = '';
let coreVersion = '';
const packed = new Map<string, Packed>();

beforeAll(async () => {
  coreVersion = JSON.parse(await readFile(join(repoRoot, 'packages/core/package.json'), 'utf8')).version;
  let list: Packed[];
  ({ tmp, project: consumer, packed: list } = await packForProject(workDirs, 'ispm-pack-', 'consumer'));
  for (const [i, dir] of workDirs.entries()) packed.set(dir, list[i] as Packed);
  const template = packed.get(pluginTemplate) as Packed;
  // Still-undeclared known gaps, at the version our own tests run with.
  const extra: string[] = [];
  for (const dir of workDirs) {
    const gaps = (await undeclaredImports(join(repoRoot, dir))).map((g) => g.split(' ')[0] as string);
    for (const name of gaps.filter((g) => KNOWN_UNDECLARED[dir]?.includes(g))) {
      const { version } = JSON.parse(
        await readFile(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'),
      );
      extra.push(`${name}@${version}`);
    }
  }
  await createConsumer(
    consumer,
    list.map((p) => p.filename),
    template.name,
    extra,
  );
}, 900_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.each(workDirs)('tarball of %s', (dir) => {
  it('holds built code, declarations, README, CHANGELOG and LICENSE, and nothing dev-only', async () => {
    const p = packed.get(dir) as Packed;
    const source = JSON.parse(await readFile(join(repoRoot, dir, 'package.json'), 'utf8')) as {
      name: string;
    };
    expect(p.name).toBe(source.name);
    expect(p.files).toEqual(
      expect.arrayContaining(['package.json', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
    );
    expect(p.files).toContain('CHANGELOG.md');
    const hasReadme = existsSync(join(repoRoot, dir, 'README.md'));
    expect(p.files.includes('README.md')).toBe(hasReadme);
    expect(hasReadme || READMELESS.has(dir), `${dir} has no README.md`).toBe(true);
    const devOnly = p.files.filter(
      (f) =>
        /(^|\/)test\//.test(f) ||
        /\.test\.[cm]?[jt]s/.test(f) ||
        /tsbuildinfo/.test(f) ||
        f.startsWith('src/') ||
        f.startsWith('node_modules/') ||
        /(^|\/)tsconfig[^/]*\.json$/.test(f),
    );
    expect(devOnly).toEqual([]);
    // Only dist, the three documents, package.json and the package's own extras: anything else is an accident.
    const extras = extraShipped[dir] ?? [];
    const others = p.files.filter(
      (f) =>
        !f.startsWith('dist/') &&
        !extras.some((e) => f.startsWith(e)) &&
        !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(f),
    );
    expect(others).toEqual([]);
    for (const e of extras)
      expect(
        p.files.some((f) => f.startsWith(e)),
        `${dir} ships ${e}`,
      ).toBe(true);
  });

  it('installs with complete metadata', async () => {
    const p = packed.get(dir) as Packed;
    const pkg = JSON.parse(await readFile(join(consumer, 'node_modules', p.name, 'package.json'), 'utf8'));
    expect(pkg.description).toMatch(/\w{3,}/);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['ispmonitor']));
    expect(pkg.license).toBe('Apache-2.0');
    // No placeholder addresses: no repository fields until the project has a public remote.
    expect(JSON.stringify(pkg)).not.toContain('example.invalid');
    for (const key of ['repository', 'homepage', 'bugs']) expect(pkg[key], key).toBeUndefined();
    expect(pkg.engines).toEqual({ node: '>=20.19' });
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    if ((needsCorePeer as readonly string[]).includes(dir) || dir === pluginTemplate) {
      expect(pkg.peerDependencies?.['@ispmonitor/core']).toBe(`^${coreVersion}`);
    }
    // The installed copy really is the tarball's, not a link back into the workspace.
    expect(existsSync(join(consumer, 'node_modules', p.name, 'src'))).toBe(false);
  });

  it('declares every package its code imports', async () => {
    const p = packed.get(dir) as Packed;
    const gaps = await undeclaredImports(join(consumer, 'node_modules', p.name));
    const known = KNOWN_UNDECLARED[dir] ?? [];
    expect(gaps.filter((g) => !known.includes(g.split(' ')[0] as string))).toEqual([]);
  });
});

describe('examples/custom-app against the installed packages', () => {
  it('resolves @ispmonitor/* from the consumer project, not the workspace', async () => {
    const res = await run(
      'node',
      ['--input-type=module', '-e', "console.log(import.meta.resolve('@ispmonitor/core'))"],
      { cwd: consumer },
    );
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(`file://${join(consumer, 'node_modules/@ispmonitor/core/dist/index.js')}`);
  });

  it('type-checks strictly with NodeNext and compiles', async () => {
    const res = await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: consumer, timeoutMs: 180_000 });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(existsSync(join(consumer, 'dist/index.js'))).toBe(true);
  }, 200_000);

  it('runs and sees both simulated routers online', async () => {
    const res = await run('node', ['dist/index.js', '8'], { cwd: consumer, timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/snmp-router: \w+ → online/);
    expect(res.stdout).toMatch(/ros-router: \w+ → online/);
    // The report is the pretty-printed JSON at the end of the output.
    const report = JSON.parse(res.stdout.slice(res.stdout.indexOf('\n{\n') + 1)) as {
      statuses: Record<string, string>;
    };
    expect(report.statuses).toEqual({ 'snmp-router': 'online', 'ros-router': 'online' });
  }, 150_000);
});

describe('examples/plugin-template as a plugin author gets it', () => {
  it('its test suite type-checks against the installed template and core/testing', async () => {
    const res = await run('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: consumer, timeoutMs: 180_000 });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.code).toBe(0);
  }, 200_000);

  it('its test suite passes with vitest in the consumer project', async () => {
    const res = await run('npx', ['vitest', 'run', '--reporter=verbose', 'test/plugin.test.ts'], {
      cwd: consumer,
      timeoutMs: 240_000,
      // A clean environment: this test itself runs inside vitest, whose VITEST_* variables would
      // make the child believe it is one of our workers.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(res.stdout).not.toMatch(/failed/);
  }, 260_000);
});

describe('package.json metadata', () => {
  it('is what scripts/package-metadata.mjs writes (run it to fix)', async () => {
    const res = await run('node', ['scripts/package-metadata.mjs', '--check'], { cwd: repoRoot });
    expect(res.stdout + res.stderr).toContain('0 package.json file(s) would change');
    expect(res.code).toBe(0);
  });
});
