import type { Locate } from '@ispmonitor/core';
import { type PackageEntry, parsePluginsEnv, splitEntries } from './entries.js';
import { type LoadedPlugin, loadPackagePlugin, searchFolders } from './load.js';

/** What the `plugins` section and `ISPM_PLUGINS` add up to. */
export interface ResolvedPlugins {
  /** Options of the built-in plugins named in the file, by name. */
  builtins: Record<string, unknown>;
  /** Plugins imported from npm packages, in the order they were named (file first). */
  external: LoadedPlugin[];
  /** Everything wrong, each naming where and what to do. Empty when all loaded. */
  problems: string[];
}

/** Inputs of {@link resolvePlugins}. */
export interface ResolvePluginsInput {
  /** The file's `plugins` section (after `${VAR}` and `file:` references). */
  section: Record<string, unknown>;
  /** Names of the built-in plugins. */
  builtin: readonly string[];
  /** `file:line` of a path in the file. */
  locate: Locate;
  /** The config file (its folder is searched first), if any. */
  configPath?: string;
  /** Environment (`ISPM_PLUGINS`). */
  env: Record<string, string | undefined>;
  /** Working directory, searched second. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Splits the `plugins` section into built-ins and package entries, adds `ISPM_PLUGINS`, imports
 * every package (from the config file's folder, then the working directory) and checks each.
 * Collects every problem instead of stopping at the first: `config validate` prints them all.
 */
export async function resolvePlugins(input: ResolvePluginsInput): Promise<ResolvedPlugins> {
  const fromEnv = parsePluginsEnv(input.env.ISPM_PLUGINS);
  const problems = [...fromEnv.problems];
  const fileSection = Object.fromEntries(
    Object.entries(input.section).filter(([name]) => !(name in fromEnv.section)),
  );
  const file = splitEntries(fileSection, input.builtin, input.locate);
  const envSplit = splitEntries(fromEnv.section, input.builtin, () => 'environment ISPM_PLUGINS');
  problems.push(...file.problems, ...envSplit.problems);
  for (const name of Object.keys(envSplit.builtins)) {
    problems.push(
      `environment ISPM_PLUGINS: plugins.${name}: "${name}" is built in: its options go in the config file's plugins section; ISPM_PLUGINS adds plugins from npm ({"<name>": {"package": "<npm package>"}})`,
    );
  }
  const entries: PackageEntry[] = [...file.packages, ...envSplit.packages, ...fromEnv.list];
  const folders = searchFolders(input.configPath, input.cwd);
  const external: LoadedPlugin[] = [];
  // One at a time: imports run package code, and their order is the plugins' order.
  for (const entry of entries) {
    const { loaded, problems: found } = await loadPackagePlugin(entry, folders);
    problems.push(...found);
    if (!loaded) continue;
    const name = loaded.plugin.name;
    const twin = external.find((e) => e.plugin.name === name);
    if (twin || input.builtin.includes(name)) {
      const other = twin ? `${twin.entry.path} (${twin.entry.where})` : `the built-in plugin "${name}"`;
      problems.push(
        `${entry.where}: ${entry.path}: package "${entry.package}" makes the plugin "${name}", as does ${other}: keep one of them`,
      );
      continue;
    }
    external.push(loaded);
  }
  return { builtins: file.builtins, external, problems };
}
