import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const builtins = new Set(builtinModules);

// Statements as tsc writes them, one per line: `import … from 'x'`, `export … from 'x'`, `import 'x'`;
// and dynamic `import('x')` anywhere. Anchoring keeps SQL or prose containing "from '…'" out.
const SPECIFIER =
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"\s]+)['"]|^\s*import\s*['"]([^'"\s]+)['"]|\bimport\(\s*['"]([^'"\s]+)['"]\s*\)/gm;

/** The npm package a bare specifier names: `@scope/name/sub` → `@scope/name`, `a/b` → `a`. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  return builtins.has(name) ? undefined : name;
}

async function* jsFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

/** Every third-party package the compiled code of an installed package imports, with one file each. */
export async function importedPackages(pkgDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const file of jsFiles(join(pkgDir, 'dist'))) {
    const code = await readFile(file, 'utf8');
    for (const m of code.matchAll(SPECIFIER)) {
      const name = packageOf((m[1] ?? m[2] ?? m[3]) as string);
      if (name && !found.has(name)) found.set(name, file.slice(pkgDir.length + 1));
    }
  }
  return found;
}

/** Imports of an installed package that its package.json does not declare (as a dependency or peer). */
export async function undeclaredImports(pkgDir: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const declared = new Set([
    pkg.name,
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const out: string[] = [];
  for (const [name, file] of await importedPackages(pkgDir)) {
    if (!declared.has(name)) out.push(`${name} (imported by ${file})`);
  }
  return out.sort();
}
