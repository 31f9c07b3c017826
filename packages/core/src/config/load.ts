import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ZodType } from 'zod';
import { ErrorCodes, monitorError } from '../errors.js';
import { addUrlPassword, resolveRefs } from './refs.js';
import { type CoreConfig, coreSections, sectionsSchema } from './schema.js';
import type { ConfigCheck, ConfigSection, Locate, SectionsConfig } from './section.js';

/** The config, and what it takes to use it safely. */
export interface LoadedConfig<T = CoreConfig> {
  /** The validated config, with defaults. */
  config: T;
  /** Every secret value found: pass them to `createMonitor({ secrets })` so logs never show them. */
  secrets: string[];
  /** The file read, or `defaults`. */
  source: string;
  /** Where a path came from (`file:line`, or `environment VAR`), for messages about it later. */
  locate: Locate;
}

/** Where environment overrides come from, the application's sections, plugin schemas and checks. */
export interface LoadConfigOptions<S extends readonly ConfigSection[] = readonly ConfigSection[]> {
  /** Environment variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Option schemas of plugins, by name: their `plugins.<name>` sections are checked with file lines too. */
  pluginSchemas?: Record<string, ZodType | undefined>;
  /**
   * The application's own sections, besides core's (`logLevel`, `poller`, `sinks`, `devices`,
   * `plugins`); a top-level key no section owns is an error. The server's are `serverSections`.
   */
  sections?: S;
  /** The application's checks of the whole config; their problems are reported with the schemas'. */
  checks?: readonly ConfigCheck[];
}

/**
 * Reads the config: defaults, then the YAML file, then environment overrides (each section
 * names its own, e.g. `POLLER_CONCURRENT`, `LOG_LEVEL`). Strings may refer to secrets as
 * `${ENV_VAR}` or `file:/path`. Every problem is reported at once, in one MonitorError
 * (`ISPM_CONFIG_INVALID`, one line each), naming the file, the line, the path and what was expected.
 */
export async function loadConfig<S extends readonly ConfigSection[] = readonly []>(
  path?: string,
  options: LoadConfigOptions<S> = {},
): Promise<LoadedConfig<CoreConfig & SectionsConfig<S>>> {
  const env = options.env ?? process.env;
  const sections: readonly ConfigSection[] = [...coreSections, ...(options.sections ?? [])];
  const source = path ?? 'defaults';
  let doc: Document | undefined;
  const lines = new LineCounter();
  let raw: unknown = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw monitorError(
        ErrorCodes.CONFIG_INVALID,
        `${path}: cannot read the config file (${(err as Error).message})`,
      );
    }
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const syntax = doc.errors[0];
    if (syntax) {
      const at = lines.linePos(syntax.pos[0]);
      throw monitorError(
        ErrorCodes.CONFIG_INVALID,
        `${path}:${at.line}:${at.col}: invalid YAML: ${syntax.message.split('\n')[0]}`,
      );
    }
    raw = doc.toJS() ?? {};
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw monitorError(ErrorCodes.CONFIG_INVALID, `${path}:1: the config must be a mapping of sections`);
    }
  }
  // The line of a path's key (a section's or a map's key is above its value), else of its value.
  const inFile = (p: readonly PropertyKey[]) => {
    const parent = p.length ? doc?.getIn(p.slice(0, -1), true) : undefined;
    const pair = isMap(parent)
      ? parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(p.at(-1)))
      : undefined;
    const node = isNode(pair?.key) ? pair.key : doc?.getIn(p, true);
    if (!isNode(node) || !node.range) return `${source}`;
    return `${source}:${lines.linePos(node.range[0]).line}`;
  };

  const secrets: string[] = [];
  const baseDir = path ? dirname(resolvePath(path)) : process.cwd();
  // Secrets that cannot be resolved are reported with every other problem, not one at a time.
  const refProblems: string[] = [];
  const resolved = (await resolveRefs(raw, [], {
    env,
    secrets,
    where: inFile,
    baseDir,
    problems: refProblems,
  })) as Record<string, unknown>;

  const problems: string[] = [...refProblems];
  const fromEnv = new Map<string, string>();
  for (const section of sections) {
    for (const o of section.env ?? []) {
      const value = env[o.env];
      if (value === undefined || value === '') continue;
      const parsed = envValue(o.type, value);
      if (parsed === undefined) {
        const expected = o.type === 'int' ? 'a whole number' : 'true or false';
        problems.push(`environment ${o.env}: expected ${expected}, got "${value}"`);
        continue;
      }
      const full = [section.key, ...o.path];
      setIn(resolved, full, parsed);
      fromEnv.set(full.join('.'), o.env);
      if (o.path.at(-1)?.toLowerCase().endsWith('url')) addUrlPassword(value, secrets);
    }
  }
  // An override names every path under the one it set (`database.url` → `environment DATABASE_URL`).
  const locate: Locate = (p) => {
    for (let n = p.length; n > 0; n--) {
      const envName = fromEnv.get(p.slice(0, n).map(String).join('.'));
      if (envName) return `environment ${envName}`;
    }
    return inFile(p);
  };
  const describe = (issuePath: readonly PropertyKey[], message: string) =>
    `${locate(issuePath)}: ${issuePath.map(String).join('.') || '(top level)'}: ${message}`;

  const result = sectionsSchema(sections).safeParse(resolved);
  if (!result.success) {
    for (const i of result.error.issues) {
      const at = i.path as PropertyKey[];
      if (i.code !== 'unrecognized_keys') {
        problems.push(describe(at, i.message));
        continue;
      }
      // One line per unknown key, at the key's own line; at the top, the sections there are.
      const known = at.length === 0 ? `; the sections are ${sections.map((s) => s.key).join(', ')}` : '';
      for (const key of i.keys) problems.push(describe([...at, key], `unknown key${known}`));
    }
  }
  for (const [name, schema] of Object.entries(options.pluginSchemas ?? {})) {
    const section = (resolved as { plugins?: Record<string, unknown> }).plugins?.[name];
    const checked = schema?.safeParse(section ?? {});
    if (checked && !checked.success) {
      for (const i of checked.error.issues) {
        problems.push(describe(['plugins', name, ...(i.path as PropertyKey[])], i.message));
      }
    }
  }
  for (const check of options.checks ?? []) problems.push(...(await check(resolved, locate)));
  if (!result.success || problems.length) {
    const onlySecrets = problems.length === refProblems.length;
    throw monitorError(
      onlySecrets ? ErrorCodes.CONFIG_SECRET : ErrorCodes.CONFIG_INVALID,
      problems.join('\n'),
    );
  }
  return {
    config: result.data as CoreConfig & SectionsConfig<S>,
    secrets: [...new Set(secrets)],
    source,
    locate,
  };
}

/** The text of an override read as its type; undefined when it is not one. */
function envValue(type: 'string' | 'int' | 'boolean', value: string): unknown {
  if (type === 'string') return value;
  if (type === 'int') return /^\d+$/.test(value) ? Number(value) : undefined;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  return undefined;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
