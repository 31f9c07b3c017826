import type { ZodType, z } from 'zod';
import type { Plugin, PluginContext } from './types.js';
import { CORE_VERSION } from './version.js';

/** What a plugin author writes. */
export interface PluginDefinition<S extends ZodType | undefined> {
  /** Unique in a monitor; used in errors, logs and `requires`. */
  name: string;
  /** Semver version of the plugin. */
  version: string;
  /** Names of plugins that must be present in the same monitor. */
  requires?: string[];
  /** Semver range of `@ispmonitor/core` the plugin works with. Default `^` + the core it was built with. */
  core?: string;
  /** Options schema (zod). Its parsed output is what `setup` receives. */
  optionsSchema?: S;
  /** Registers what the plugin provides; receives the parsed options. */
  setup(ctx: PluginContext, options: S extends ZodType ? z.output<S> : undefined): void | Promise<void>;
}

/** Input type of a plugin factory: the schema's input, optional when every field is. */
export type FactoryArgs<S> = S extends ZodType
  ? undefined extends z.input<S>
    ? [options?: z.input<S>]
    : Record<never, never> extends z.input<S>
      ? [options?: z.input<S>]
      : [options: z.input<S>]
  : [];

/**
 * Defines a plugin and returns its factory: `export const snmp = definePlugin({...})`, then
 * `snmp(options)`. It stamps the core version range and carries the schema, so that
 * `createMonitor` can check names, requirements, versions and options before anything runs.
 */
export function definePlugin<S extends ZodType | undefined = undefined>(
  definition: PluginDefinition<S>,
): (...args: FactoryArgs<S>) => Plugin<S extends ZodType ? z.output<S> : undefined> {
  if (!definition.name || typeof definition.setup !== 'function') {
    throw new TypeError('definePlugin: a plugin needs a name and a setup function');
  }
  const requires = Object.freeze([...(definition.requires ?? [])]);
  const coreRange = definition.core ?? `^${CORE_VERSION}`;
  return (...args) =>
    Object.freeze({
      name: definition.name,
      version: definition.version,
      requires,
      coreRange,
      options: args[0],
      optionsSchema: definition.optionsSchema as never,
      setup: definition.setup as never,
    });
}
