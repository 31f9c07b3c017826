import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';

/** Where the worker thread's code is and how to reach PGlite from it. */
export interface WorkerEntry {
  /** The worker script: a file URL when built, a `data:` URL when running from TypeScript sources. */
  url: URL;
  /** `@electric-sql/pglite` as an absolute URL (a `data:` module cannot resolve bare names). */
  pgliteUrl: string;
}

let cached: WorkerEntry | undefined;

/** The part of the `typescript` module used here (typed locally: it is not a dependency). */
interface Transpiler {
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
  transpileModule(
    source: string,
    options: { compilerOptions: Record<string, unknown> },
  ): { outputText: string };
}

/** The ES module build of PGlite, as a URL, resolved from this package. */
function resolvePglite(): string {
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  if (typeof meta.resolve === 'function') {
    try {
      return meta.resolve('@electric-sql/pglite');
    } catch {
      /* some loaders (test runners) lack it: resolve through require below */
    }
  }
  // `require` resolves the CommonJS build; its ES module twin sits beside it.
  const cjs = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const esm = cjs.replace(/\.cjs$/, '.js');
  return pathToFileURL(existsSync(esm) ? esm : cjs).href;
}

/**
 * Finds the worker script. A build has `pglite-worker.js` beside this file. Running from the
 * TypeScript sources (the test runner), Node cannot load `pglite-worker.ts` itself, so it is
 * transpiled here with the workspace's `typescript` (a development dependency, never needed by
 * a built package) and handed to the worker as a `data:` URL.
 */
export function workerEntry(): WorkerEntry {
  if (cached) return cached;
  const pgliteUrl = resolvePglite();
  const built = new URL('./pglite-worker.js', import.meta.url);
  if (built.protocol === 'file:' && existsSync(fileURLToPath(built))) {
    cached = { url: built, pgliteUrl };
    return cached;
  }
  const source = new URL('./pglite-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) {
    throw monitorError(
      PostgresErrors.DB_WORKER_MISSING,
      `PGlite worker script not found beside ${fileURLToPath(import.meta.url)}`,
      { plugin: 'postgres' },
    );
  }
  const ts = createRequire(import.meta.url)('typescript') as Transpiler;
  const out = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
  });
  cached = { url: new URL(`data:text/javascript,${encodeURIComponent(out.outputText)}`), pgliteUrl };
  return cached;
}
