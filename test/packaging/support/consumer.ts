import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, run } from './workspace.js';

/** Versions the consumer project installs beside our tarballs: what a user on Node 20 would pick. */
export const consumerDevDeps = ['typescript@6.0.3', '@types/node@20', 'vitest@4.1.12'];

/**
 * The compiler settings a strict user would have: strict, NodeNext, unchecked index access, and
 * `skipLibCheck: false` (TypeScript's default), so every declaration file we publish — and every
 * one they import — is checked as a user's build checks it.
 */
const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: false,
  types: ['node'],
};

/**
 * Creates a fresh npm project in `dir` (outside the workspace, so nothing resolves to our sources),
 * installs the tarballs, the dev tools and `extra` (packages one of ours imports without declaring
 * them, so a known gap does not hide everything after it) from the registry, and lays out:
 * - `src/`: a copy of examples/custom-app/src, compiled by `tsconfig.json` into `dist/`;
 * - `test/plugin.test.ts`: the plugin template's test, importing the installed template package
 *   instead of its sources, type-checked by `tsconfig.test.json` and run by vitest.
 */
export async function createConsumer(
  dir: string,
  tarballs: string[],
  templateName: string,
  extra: string[] = [],
): Promise<void> {
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'ispm-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...consumerDevDeps, ...extra],
    { cwd: dir, timeoutMs: 400_000 },
  );
  if (install.code !== 0) throw new Error(`npm install failed (${install.code}):\n${install.stderr}`);
  // npm warns when a dependency declares a Node version ours (>=20.19) does not satisfy.
  if (/EBADENGINE/.test(install.stderr))
    throw new Error(`npm install warned about engines:\n${install.stderr}`);

  await cp(join(repoRoot, 'examples/custom-app/src'), join(dir, 'src'), { recursive: true });
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...compilerOptions, rootDir: 'src', outDir: 'dist' },
      include: ['src'],
    }),
  );

  await mkdir(join(dir, 'test'));
  const testSource = await readFile(join(repoRoot, 'examples/plugin-template/test/plugin.test.ts'), 'utf8');
  // The only change: the test imports the package a user installed, not the template's sources.
  const rewritten = testSource.replaceAll("from '../src/index.js'", `from '${templateName}'`);
  if (rewritten === testSource) throw new Error('plugin template test no longer imports ../src/index.js');
  await writeFile(join(dir, 'test/plugin.test.ts'), rewritten);
  await writeFile(
    join(dir, 'tsconfig.test.json'),
    JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, include: ['test'] }),
  );
}
