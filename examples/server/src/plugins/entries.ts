import type { Locate } from '@ispmonitor/core';
import { didYouMean } from './closest.js';
import { isPackageSpecifier } from './resolve-package.js';

/**
 * A plugin to import from npm, as one `plugins.<name>` entry names it:
 *
 * ```yaml
 * plugins:
 *   httpcheck:
 *     package: '@acme/ispm-http'   # the npm package, installed next to the config or the server
 *     export: httpCheck            # optional: the factory's export name; default: the default export
 *     options: { timeout: 5s }     # optional: what the factory is called with
 * ```
 */
export interface PackageEntry {
  /** The entry's name, which must be the plugin's own; undefined for a bare `ISPM_PLUGINS` list item. */
  name?: string;
  /** npm package name, optionally with a subpath (`@acme/ispm-http/plugin`). */
  package: string;
  /** Named export of the factory; default: the default export. */
  export?: string;
  /** Passed to the factory. */
  options?: unknown;
  /** Where the entry was written: `file:line`, or `environment ISPM_PLUGINS`. */
  where: string;
  /** Path of the entry, e.g. `plugins.httpcheck`. */
  path: string;
  /** `file:line` of a path inside the entry (`['options', 'timeout']`). */
  locate: Locate;
}

/** The keys a package entry takes. */
export const ENTRY_KEYS = ['package', 'export', 'options'] as const;

/** The `plugins` section split into built-in options and package entries, with what is wrong. */
export interface SplitEntries {
  /** Options of built-in plugins, by name (validated by their schemas elsewhere). */
  builtins: Record<string, unknown>;
  packages: PackageEntry[];
  problems: string[];
}

/**
 * Splits `plugins` into built-in plugins' options and package entries. An entry that is neither
 * (an unknown name without `package`), unknown keys and malformed fields become problems, each
 * naming where it is and what to do.
 */
export function splitEntries(
  section: Record<string, unknown>,
  builtin: readonly string[],
  locate: Locate,
): SplitEntries {
  const out: SplitEntries = { builtins: {}, packages: [], problems: [] };
  for (const [name, value] of Object.entries(section)) {
    const at = ['plugins', name];
    const hasPackage = isObject(value) && 'package' in value;
    if (builtin.includes(name)) {
      if (hasPackage) {
        out.problems.push(
          `${locate([...at, 'package'])}: plugins.${name}.package: "${name}" is a built-in plugin, whose options go directly under plugins.${name}: remove "package", or give the entry of your own plugin its own name`,
        );
      } else out.builtins[name] = value;
      continue;
    }
    if (!hasPackage) {
      out.problems.push(
        `${locate(at)}: plugins.${name}: unknown plugin "${name}"${didYouMean(name, builtin)}; the built-in plugins are ${builtin.join(', ')}, and a plugin from npm needs "package: <npm package name>" (docs/plugin-authoring.md)`,
      );
      continue;
    }
    const entry = packageEntry(name, value as Record<string, unknown>, locate(at), `plugins.${name}`, (p) =>
      locate([...at, ...p]),
    );
    out.problems.push(...entry.problems);
    if (entry.entry) out.packages.push(entry.entry);
  }
  return out;
}

/** Checks one `{ package, export?, options? }` object. */
export function packageEntry(
  name: string | undefined,
  value: Record<string, unknown>,
  where: string,
  path: string,
  locate: Locate = () => where,
): { entry?: PackageEntry; problems: string[] } {
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if ((ENTRY_KEYS as readonly string[]).includes(key)) continue;
    problems.push(
      `${locate([key])}: ${path}.${key}: unknown key${didYouMean(key, ENTRY_KEYS)}; a plugin entry takes ${ENTRY_KEYS.join(', ')} (the plugin's own settings go under options)`,
    );
  }
  const pkg = value.package;
  if (typeof pkg !== 'string' || !isPackageSpecifier(pkg)) {
    problems.push(
      `${locate(['package'])}: ${path}.package: expected an npm package name such as "@acme/ispm-http", got ${JSON.stringify(pkg)}`,
    );
  }
  const exported = value.export;
  if (exported !== undefined && (typeof exported !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(exported))) {
    problems.push(
      `${locate(['export'])}: ${path}.export: expected the name of the factory the package exports, such as "httpCheck", got ${JSON.stringify(exported)}`,
    );
  }
  const options = value.options;
  if (options !== undefined && options !== null && !isObject(options)) {
    problems.push(
      `${locate(['options'])}: ${path}.options: expected a mapping of the plugin's options, got ${JSON.stringify(options)}`,
    );
  }
  if (problems.length) return { problems };
  return {
    entry: {
      ...(name === undefined ? {} : { name }),
      package: pkg as string,
      ...(exported === undefined ? {} : { export: exported as string }),
      ...(options === undefined || options === null ? {} : { options }),
      where,
      path,
      locate,
    },
    problems,
  };
}

/**
 * `ISPM_PLUGINS`, for deployments configured by environment alone. Two forms:
 * - a comma-separated list of `package` or `package#export` (`@acme/ispm-http#httpCheck`): each
 *   loaded without options, under the plugin's own name;
 * - a JSON object shaped like the `plugins` section (`{"httpcheck":{"package":"@acme/ispm-http",
 *   "options":{…}}}`), whose entries replace the file's entries of the same name.
 */
export function parsePluginsEnv(value: string | undefined): {
  section: Record<string, unknown>;
  list: PackageEntry[];
  problems: string[];
} {
  const out = {
    section: {} as Record<string, unknown>,
    list: [] as PackageEntry[],
    problems: [] as string[],
  };
  const text = value?.trim();
  if (!text) return out;
  const where = 'environment ISPM_PLUGINS';
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isObject(parsed)) throw new Error('not an object');
      out.section = parsed;
    } catch (err) {
      out.problems.push(
        `${where}: not valid JSON (${(err as Error).message}); expected {"<name>": {"package": "<npm package>", "options": {…}}} or a comma-separated list of packages`,
      );
    }
    return out;
  }
  for (const [i, item] of text.split(',').entries()) {
    const trimmed = item.trim();
    if (!trimmed) continue;
    const [pkg = '', exported, ...rest] = trimmed.split('#');
    const checked = packageEntry(
      undefined,
      { package: pkg, ...(exported === undefined ? {} : { export: exported }) },
      where,
      `ISPM_PLUGINS[${i}]`,
    );
    if (rest.length)
      checked.problems.push(`${where}: ISPM_PLUGINS[${i}]: "${trimmed}" has more than one "#"`);
    out.problems.push(...checked.problems);
    if (checked.entry && !rest.length) out.list.push(checked.entry);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
