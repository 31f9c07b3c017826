import type { ZodType, z } from 'zod';

/** An environment variable that overrides one field of a section. */
export interface EnvOverride {
  /** The variable, e.g. `API_PORT`. */
  env: string;
  /** Where it goes inside the section (`['port']`); empty for a section that is a single value. */
  path: readonly string[];
  /** How the text is read: as is, a whole number, or a boolean (`true|1|yes`, `false|0|no`). */
  type: 'string' | 'int' | 'boolean';
}

/**
 * One top-level section of the config file, registered by whoever owns it: core owns `logLevel`,
 * `poller`, `sinks`, `devices` and `plugins`; an application (the server) adds its own (`api`,
 * `database`, …) through `loadConfig(path, { sections })`. Its schema's defaults apply when the
 * file leaves the section out; its errors carry the file's line numbers like core's.
 */
export interface ConfigSection<K extends string = string, S extends ZodType = ZodType> {
  /** Top-level key in the file. */
  key: K;
  /** Schema of the section (give it a default, e.g. `.prefault({})`, if the section may be left out). */
  schema: S;
  /** Environment variables that override fields of the section. */
  env?: readonly EnvOverride[];
}

/** Makes a section, keeping its key and schema types for the loaded config's type. */
export function configSection<K extends string, S extends ZodType>(
  key: K,
  schema: S,
  env: readonly EnvOverride[] = [],
): ConfigSection<K, S> {
  return { key, schema, env };
}

/** The config a list of sections adds up to: `{ [key]: output of its schema }`. */
export type SectionsConfig<T extends readonly ConfigSection[]> = {
  [S in T[number] as S['key']]: z.output<S['schema']>;
};

/**
 * Where a path of the loaded config came from: `file:line` (or just the file when the path is
 * not written in it), or `environment VAR` when an override set it.
 */
export type Locate = (path: readonly PropertyKey[]) => string;

/**
 * A check the section owner runs on the whole config after references and environment overrides,
 * whether or not the schemas passed (so its problems join theirs): it returns problems, each a
 * line `place: path: what is wrong and what to do`, where `place` comes from `locate`.
 */
export type ConfigCheck = (
  raw: Record<string, unknown>,
  locate: Locate,
) => readonly string[] | Promise<readonly string[]>;
