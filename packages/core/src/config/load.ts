import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { ZodType } from 'zod';
import { ErrorCodes, monitorError } from '../errors.js';
import { configSchema, type MonitorConfig } from './schema.js';

/** Environment variables that override the file, and where they go. */
const ENV_OVERRIDES: Array<{ env: string; path: string[]; type: 'string' | 'int' }> = [
  { env: 'DATABASE_URL', path: ['database', 'url'], type: 'string' },
  { env: 'DATABASE_READ_URL', path: ['database', 'readUrl'], type: 'string' },
  { env: 'POLLER_WORKERS', path: ['poller', 'workers'], type: 'int' },
  { env: 'POLLER_CONCURRENT', path: ['poller', 'concurrency'], type: 'int' },
  { env: 'POLLER_TIMEOUT', path: ['poller', 'timeout'], type: 'string' },
  { env: 'LOG_LEVEL', path: ['logLevel'], type: 'string' },
  { env: 'API_HOST', path: ['api', 'host'], type: 'string' },
  { env: 'API_PORT', path: ['api', 'port'], type: 'int' },
  { env: 'METRICS_HOST', path: ['metrics', 'host'], type: 'string' },
  { env: 'METRICS_PORT', path: ['metrics', 'port'], type: 'int' },
  { env: 'CLUSTER', path: ['cluster', 'mode'], type: 'string' },
];

/**
 * Keys whose values are secrets even when written literally in the file (the same guess as the
 * logger's: an `Authorization` header of a webhook too). Plugins' schemas say more: see `secret()`.
 */
const SECRET_KEY = /pass(word)?|secret|token|community|authkey|privkey|api[-_]?key|credential|authorization/i;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The config, and what it takes to use it safely. */
export interface LoadedConfig {
  /** The validated config, with defaults. */
  config: MonitorConfig;
  /** Every secret value found: pass them to `createMonitor({ secrets })` so logs never show them. */
  secrets: string[];
  /** The file read, or `defaults`. */
  source: string;
}

/** Where environment overrides come from, and plugin schemas. */
export interface LoadConfigOptions {
  /** Environment variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Option schemas of plugins, by name: their `plugins.<name>` sections are checked with file lines too. */
  pluginSchemas?: Record<string, ZodType | undefined>;
}

/**
 * Reads the config: defaults, then the YAML file, then environment overrides (`DATABASE_URL`,
 * `POLLER_WORKERS`, `POLLER_CONCURRENT`, `POLLER_TIMEOUT`, `LOG_LEVEL`, `API_HOST`, `API_PORT`,
 * `METRICS_HOST`, `METRICS_PORT`, `CLUSTER`). Strings may refer to secrets as `${ENV_VAR}` or `file:/path`.
 * Errors name the file, the line, the path in the file and what was expected.
 */
export async function loadConfig(path?: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
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
  const where = (p: PropertyKey[]) => {
    const node = doc?.getIn(p, true);
    if (!isNode(node) || !node.range) return `${source}`;
    return `${source}:${lines.linePos(node.range[0]).line}`;
  };

  const secrets: string[] = [];
  const baseDir = path ? dirname(resolvePath(path)) : process.cwd();
  const resolved = await resolveRefs(raw, [], { env, secrets, where, baseDir });

  const fromEnv = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    let parsed: unknown = value;
    if (o.type === 'int') {
      if (!/^\d+$/.test(value)) {
        throw monitorError(
          ErrorCodes.CONFIG_INVALID,
          `environment ${o.env}: expected a whole number, got "${value}"`,
        );
      }
      parsed = Number(value);
    }
    setIn(resolved as Record<string, unknown>, o.path, parsed);
    fromEnv.set(o.path.join('.'), o.env);
    if (o.env === 'DATABASE_URL') addUrlPassword(value, secrets);
  }

  const result = configSchema.safeParse(resolved);
  const issues = result.success
    ? []
    : result.error.issues.map((i) => ({ ...i, path: i.path as PropertyKey[] }));
  for (const [name, schema] of Object.entries(options.pluginSchemas ?? {})) {
    const section = (resolved as { plugins?: Record<string, unknown> }).plugins?.[name];
    const checked = schema?.safeParse(section ?? {});
    if (checked && !checked.success) {
      for (const i of checked.error.issues)
        issues.push({ ...i, path: ['plugins', name, ...(i.path as PropertyKey[])] });
    }
  }
  if (!result.success || issues.length) {
    const problems = issues.map((issue) => {
      const dotted = issue.path.map(String).join('.');
      const envName = fromEnv.get(dotted);
      const place = envName ? `environment ${envName}` : where(issue.path);
      return `${place}: ${dotted || '(top level)'}: ${issue.message}`;
    });
    throw monitorError(ErrorCodes.CONFIG_INVALID, problems.join('\n'));
  }
  return { config: result.data as MonitorConfig, secrets: [...new Set(secrets)], source };
}

interface RefContext {
  env: Record<string, string | undefined>;
  secrets: string[];
  where: (path: PropertyKey[]) => string;
  baseDir: string;
}

/** Replaces `${VAR}` and `file:` references; remembers every secret it meets. */
async function resolveRefs(value: unknown, path: PropertyKey[], ctx: RefContext): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveRefs(v, [...path, i], ctx)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveRefs(v, [...path, k], ctx);
    return out;
  }
  if (typeof value !== 'string') return value;
  const key = String(path.at(-1) ?? '');
  let out = value;
  if (out.startsWith('file:')) {
    const file = out.slice(5);
    const full = isAbsolute(file) ? file : resolvePath(ctx.baseDir, file);
    try {
      out = (await readFile(full, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw monitorError(
        ErrorCodes.CONFIG_SECRET,
        `${ctx.where(path)}: ${path.join('.')}: cannot read secret file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    ctx.secrets.push(out);
  } else if (out.includes('${')) {
    out = out.replace(ENV_REF, (_m, name: string) => {
      const v = ctx.env[name];
      if (v === undefined) {
        throw monitorError(
          ErrorCodes.CONFIG_SECRET,
          `${ctx.where(path)}: ${path.join('.')}: environment variable ${name} is not set`,
        );
      }
      // Only the substituted value is secret: the rest of the string (a URL's host) stays readable.
      ctx.secrets.push(v);
      return v;
    });
  }
  if (SECRET_KEY.test(key)) ctx.secrets.push(out);
  if (key === 'url') addUrlPassword(out, ctx.secrets);
  return out;
}

/** A password inside a connection URL is a secret too. */
function addUrlPassword(url: string, secrets: string[]): void {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) secrets.push(password);
  } catch {
    // Not a URL: nothing to extract.
  }
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
