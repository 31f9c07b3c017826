import semver from 'semver';
import { formatIssues } from '../devices/validate.js';
import { ErrorCodes, MonitorError, monitorError } from '../errors.js';
import type { Plugin } from '../types.js';
import { CORE_VERSION } from '../version.js';

/** A plugin with its options parsed by its schema. */
export interface CheckedPlugin {
  plugin: Plugin;
  options: unknown;
}

/**
 * Checks the plugin list before anything runs: each is a plugin, names are unique, every
 * `requires` is present, the core version satisfies the plugin's range, and the options pass the
 * plugin's schema. Throws the first problem as a MonitorError naming the plugin and the field.
 */
export function checkPlugins(plugins: readonly unknown[], coreVersion = CORE_VERSION): CheckedPlugin[] {
  const names = new Set<string>();
  for (const [i, p] of plugins.entries()) {
    if (!isPlugin(p)) {
      throw monitorError(
        ErrorCodes.PLUGIN_INVALID,
        `plugins[${i}] is not a plugin: call the factory made by definePlugin (e.g. snmp(), not snmp)`,
      );
    }
    if (names.has(p.name)) {
      throw monitorError(ErrorCodes.PLUGIN_DUPLICATE, `plugin "${p.name}" is listed twice`, {
        plugin: p.name,
      });
    }
    names.add(p.name);
  }
  const checked: CheckedPlugin[] = [];
  for (const p of plugins as Plugin[]) {
    for (const required of p.requires) {
      if (!names.has(required)) {
        throw monitorError(
          ErrorCodes.PLUGIN_MISSING_REQUIREMENT,
          `plugin "${p.name}" requires plugin "${required}", which is not in the plugin list`,
          { plugin: p.name },
        );
      }
    }
    if (
      !semver.validRange(p.coreRange) ||
      !semver.satisfies(coreVersion, p.coreRange, { includePrerelease: true })
    ) {
      throw monitorError(
        ErrorCodes.PLUGIN_VERSION_MISMATCH,
        `plugin "${p.name}" ${p.version} needs @ispmonitor/core ${p.coreRange}, but this is ${coreVersion}`,
        { plugin: p.name },
      );
    }
    checked.push({ plugin: p, options: parseOptions(p) });
  }
  return checked;
}

function parseOptions(p: Plugin): unknown {
  if (!p.optionsSchema) return p.options;
  const parsed = p.optionsSchema.safeParse(p.options ?? {});
  if (parsed.success) return parsed.data;
  throw monitorError(
    ErrorCodes.PLUGIN_INVALID_OPTIONS,
    `plugin "${p.name}": invalid options: ${formatIssues(parsed.error.issues)}`,
    { plugin: p.name, cause: parsed.error },
  );
}

/**
 * Whether a value has the shape core registers as a plugin: a name, a setup function, a core
 * range and a requirements list (the server's plugin loader asks the same before registering).
 */
export function isPlugin(p: unknown): p is Plugin {
  return (
    !!p &&
    typeof p === 'object' &&
    typeof (p as Plugin).name === 'string' &&
    typeof (p as Plugin).setup === 'function' &&
    typeof (p as Plugin).coreRange === 'string' &&
    Array.isArray((p as Plugin).requires)
  );
}

/** Wraps an error from a plugin's setup so it names the plugin. */
export function setupError(plugin: string, err: unknown): MonitorError {
  if (err instanceof MonitorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return monitorError(ErrorCodes.PLUGIN_SETUP_FAILED, `plugin "${plugin}": setup failed: ${message}`, {
    plugin,
    cause: err,
  });
}
