import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A package found on disk: its folder, its manifest and the file an `import` of it loads. */
export interface ResolvedPackage {
  /** The package's folder (`…/node_modules/@acme/ispm-http`). */
  dir: string;
  /** Its package.json. */
  manifest: PackageManifest;
  /** The file `import(specifier)` would load from there. */
  entry: string;
}

/** The fields of package.json this resolver reads. */
export interface PackageManifest {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  peerDependencies?: Record<string, string>;
}

/** Conditions of an ESM import under Node, in the order Node's resolver honours them. */
const CONDITIONS = new Set(['node', 'import', 'default']);

/** `@scope/name/sub/path` → `['@scope/name', './sub/path']`; `name` → `['name', '.']`. */
export function splitSpecifier(specifier: string): [name: string, subpath: string] {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, count).join('/');
  const rest = parts.slice(count).join('/');
  return [name, rest ? `./${rest}` : '.'];
}

/** Whether a string is an npm package name (optionally with a subpath), not a path or URL. */
export function isPackageSpecifier(specifier: string): boolean {
  return /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[\w.~@/-]+)?$/i.test(specifier);
}

/**
 * Finds `specifier` as Node does for a module in `from` (each `node_modules` folder from `from`
 * up to the root), trying every folder of `from` in turn. Node's own resolvers cannot do this
 * for an ESM-only package: `createRequire(...).resolve` honours the `require` condition only, and
 * `import.meta.resolve` takes a parent only behind a flag on Node 20. Returns undefined when no
 * folder has the package; throws when the package is there but exports nothing importable.
 */
export function resolvePackage(specifier: string, from: readonly string[]): ResolvedPackage | undefined {
  const [name, subpath] = splitSpecifier(specifier);
  for (const base of from) {
    let dir = resolve(base);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return load(candidate, subpath, specifier);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

function load(dir: string, subpath: string, specifier: string): ResolvedPackage {
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  } catch (err) {
    throw new Error(`${join(dir, 'package.json')} is not valid JSON (${(err as Error).message})`);
  }
  let target: string | undefined;
  if (manifest.exports !== undefined && manifest.exports !== null) {
    target = exportTarget(manifest.exports, subpath);
    if (!target)
      throw new Error(`package "${manifest.name ?? specifier}" exports no "${subpath}" for import`);
  } else {
    target = subpath === '.' ? (manifest.main ?? './index.js') : subpath;
  }
  const entry = withExtension(join(dir, target));
  if (!entry) throw new Error(`package "${manifest.name ?? specifier}": its entry ${target} does not exist`);
  return { dir, manifest, entry };
}

/** The target of `subpath` in an `exports` field, for an ESM import under Node. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  const isMap =
    exports !== null &&
    typeof exports === 'object' &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isMap) return subpath === '.' ? conditional(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return conditional(map[subpath]);
  // One `*` per pattern key, as Node allows; the longest prefix wins.
  let best: { prefix: string; suffix: string; value: unknown } | undefined;
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (!best || prefix.length > best.prefix.length) best = { prefix, suffix, value };
    }
  }
  if (!best) return undefined;
  const match = subpath.slice(best.prefix.length, subpath.length - best.suffix.length);
  return conditional(best.value)?.replaceAll('*', match);
}

/** A target string, chosen through nested condition objects and fallback arrays. */
function conditional(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = conditional(v);
      if (t) return t;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [condition, v] of Object.entries(value)) {
      if (!CONDITIONS.has(condition)) continue;
      const t = conditional(v);
      if (t) return t;
    }
  }
  return undefined;
}

/** The file as given, or with `.js` / `/index.js` as `main` may leave out. */
function withExtension(file: string): string | undefined {
  for (const f of [file, `${file}.js`, join(file, 'index.js')]) {
    try {
      if (statSync(f).isFile()) return f;
    } catch {
      // Try the next form.
    }
  }
  return undefined;
}
