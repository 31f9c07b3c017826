import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CORE_VERSION, isPlugin, type Plugin, schemaSecretValues } from '@ispmonitor/core';
import semver from 'semver';
import { didYouMean } from './closest.js';
import type { PackageEntry } from './entries.js';
import { type ResolvedPackage, resolvePackage } from './resolve-package.js';

/** A plugin imported from npm, with where it came from. */
export interface LoadedPlugin {
  plugin: Plugin;
  /** The entry that named it. */
  entry: PackageEntry;
  /** The package's folder and version. */
  from: { dir: string; version?: string };
  /** Values its options schema marks secret. */
  secrets: string[];
}

/** Where packages are looked for: the config file's folder, then the working directory. */
export function searchFolders(configPath: string | undefined, cwd = process.cwd()): string[] {
  const folders = configPath ? [dirname(configPath), cwd] : [cwd];
  return [...new Set(folders)];
}

/**
 * Imports one package entry and checks what its factory returns is a plugin this core can run:
 * installed, the core range in its package.json `peerDependencies` and the plugin's own range
 * accepting this core, named as its entry, options passing its schema. Never throws: every
 * problem is returned, each naming the entry and what to do.
 */
export async function loadPackagePlugin(
  entry: PackageEntry,
  folders: readonly string[],
  coreVersion = CORE_VERSION,
): Promise<{ loaded?: LoadedPlugin; problems: string[] }> {
  const at = `${entry.where}: ${entry.path}`;
  const fail = (message: string) => ({ problems: [`${at}: ${message}`] });
  let found: ResolvedPackage | undefined;
  try {
    found = resolvePackage(entry.package, folders);
  } catch (err) {
    return fail(
      `${(err as Error).message}: reinstall it, or ask its author for a package that exports its entry`,
    );
  }
  if (!found) {
    return fail(
      `package "${entry.package}" is not installed (looked in node_modules from ${folders.join(' and ')}): run \`npm install ${entry.package}\` in ${folders[0]}`,
    );
  }
  const label = `package "${entry.package}"${found.manifest.version ? ` ${found.manifest.version}` : ''}`;
  const peer = found.manifest.peerDependencies?.['@ispmonitor/core'];
  if (peer !== undefined && !accepts(peer, coreVersion)) {
    return fail(
      `${label} supports @ispmonitor/core ${peer} (its peerDependencies), but this server runs core ${coreVersion}: install a version of the package made for core ${coreVersion}`,
    );
  }
  const copy = ownCoreCopy(found.dir);
  if (copy) {
    return fail(
      `${label} loads its own copy of @ispmonitor/core (${copy}), not the server's (${serverCore}): plugins must share the server's core (its tokens are per copy, so a copy's drivers would never be found); install the package where the server is installed (\`npm install ${entry.package}\` in the server's folder) so npm shares one core`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(found.entry).href)) as Record<string, unknown>;
  } catch (err) {
    return fail(`cannot import ${label} (${found.entry}): ${(err as Error).message}`);
  }
  const name = entry.export ?? 'default';
  const exports = Object.keys(module).filter((k) => typeof module[k] === 'function');
  if (!(name in module)) {
    const hint = entry.export
      ? `${didYouMean(name, exports)}; it exports ${exports.join(', ') || 'no functions'}`
      : `; name the factory with "export:" (it exports ${exports.join(', ') || 'no functions'})`;
    return fail(`${label} has no ${entry.export ? `export "${name}"` : 'default export'}${hint}`);
  }
  const factory = module[name];
  let made: unknown = factory;
  if (typeof factory === 'function') {
    try {
      made = await factory(entry.options);
    } catch (err) {
      return fail(`${label}: its factory "${name}" threw: ${(err as Error).message}`);
    }
  } else if (entry.options !== undefined) {
    return fail(`${label}: export "${name}" is not a function, so it cannot take options`);
  }
  if (!isPlugin(made)) {
    return fail(
      `export "${name}" of ${label} is not a plugin factory (it ${typeof factory === 'function' ? 'returned' : 'is'} ${describe(made)}): export the factory definePlugin returns, or name the right one with "export:"`,
    );
  }
  const plugin = made;
  const problems: string[] = [];
  if (entry.name !== undefined && plugin.name !== entry.name) {
    problems.push(
      `${at}: ${label} makes the plugin "${plugin.name}": name the entry plugins.${plugin.name} (an entry is named as its plugin, as "requires" and logs name it)`,
    );
  }
  if (!accepts(plugin.coreRange, coreVersion)) {
    problems.push(
      `${at}: plugin "${plugin.name}" ${plugin.version} accepts @ispmonitor/core ${plugin.coreRange}, but this server runs core ${coreVersion}: install a version of ${entry.package} built for core ${coreVersion}`,
    );
  }
  let secrets: string[] = [];
  if (plugin.optionsSchema) {
    const parsed = plugin.optionsSchema.safeParse(plugin.options ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = ['options', ...issue.path];
        problems.push(
          `${entry.locate(path)}: ${[entry.path, ...path.map(String)].join('.')}: ${issue.message} (plugin "${plugin.name}"; its README lists its options)`,
        );
      }
    } else secrets = schemaSecretValues(plugin.optionsSchema, plugin.options ?? {});
  }
  if (problems.length) return { problems };
  return {
    loaded: { plugin, entry, from: { dir: found.dir, version: found.manifest.version }, secrets },
    problems,
  };
}

/** The folder of the core this server runs (real path), found as the server's own import finds it. */
const serverCore = ((): string | undefined => {
  try {
    const found = resolvePackage('@ispmonitor/core', [dirname(fileURLToPath(import.meta.url))]);
    return found ? realpathSync(found.dir) : undefined;
  } catch {
    // Never fatal: without it, the copy check is skipped.
    return undefined;
  }
})();

/** The folder of another core the package would import, if it would import one. */
function ownCoreCopy(packageDir: string): string | undefined {
  let theirs: ResolvedPackage | undefined;
  try {
    theirs = resolvePackage('@ispmonitor/core', [packageDir]);
  } catch {
    return undefined;
  }
  if (!theirs || !serverCore) return undefined;
  const real = realpathSync(theirs.dir);
  return real === serverCore ? undefined : real;
}

/** Whether `version` satisfies `range` as core's own registration check decides it. */
function accepts(range: string, version: string): boolean {
  return !!semver.validRange(range) && semver.satisfies(version, range, { includePrerelease: true });
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object') return `a ${typeof v}`;
  const keys = Object.keys(v).slice(0, 5);
  return `an object with ${keys.length ? keys.join(', ') : 'no keys'}`;
}
