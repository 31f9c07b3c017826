import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';

/**
 * Keys whose values are secrets even when written literally in the file (the same guess as the
 * logger's: an `Authorization` header of a webhook too). Plugins' schemas say more: see `secret()`.
 */
const SECRET_KEY = /pass(word)?|secret|token|community|authkey|privkey|api[-_]?key|credential|authorization/i;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** What resolving references needs: the environment, where secrets are collected, the file's lines. */
export interface RefContext {
  env: Record<string, string | undefined>;
  secrets: string[];
  where: (path: PropertyKey[]) => string;
  baseDir: string;
  /** A reference that cannot be resolved is a problem here, and its text is kept as written. */
  problems: string[];
}

/** Replaces `${VAR}` and `file:` references; remembers every secret it meets. */
export async function resolveRefs(value: unknown, path: PropertyKey[], ctx: RefContext): Promise<unknown> {
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
      ctx.secrets.push(out);
    } catch (err) {
      ctx.problems.push(
        `${ctx.where(path)}: ${path.join('.')}: cannot read secret file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  } else if (out.includes('${')) {
    out = out.replace(ENV_REF, (_m, name: string) => {
      const v = ctx.env[name];
      if (v === undefined) {
        ctx.problems.push(`${ctx.where(path)}: ${path.join('.')}: environment variable ${name} is not set`);
        return `\${${name}}`;
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
export function addUrlPassword(url: string, secrets: string[]): void {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) secrets.push(password);
  } catch {
    // Not a URL: nothing to extract.
  }
}
