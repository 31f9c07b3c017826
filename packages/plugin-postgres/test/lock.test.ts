import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../src/db/lock.js';
import { openPglite } from '../src/db/pglite.js';
import { PostgresErrorCodes } from '../src/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
// The child runs the real lock and PGlite code, transpiled here (Node 20 cannot run .ts): src/db
// and the errors table it imports, in the same layout (db/ beside errors.js). The folder sits
// inside the package so that `@electric-sql/pglite` and `@ispmonitor/core` (its build) resolve
// from node_modules.
const modRoot = join(pkg, 'test-artifacts', `lock-child-${process.pid}`);
const modDir = join(modRoot, 'db');

function transpile(): void {
  mkdirSync(modDir, { recursive: true });
  const files = readdirSync(join(pkg, 'src', 'db'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('db', f));
  for (const f of [...files, 'errors.ts']) {
    const src = readFileSync(join(pkg, 'src', f), 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: false,
      },
    });
    writeFileSync(join(modRoot, f.replace(/\.ts$/, '.js')), out.outputText);
  }
}

interface ChildReport {
  ok: boolean;
  pid?: number;
  code?: string;
  message?: string;
}

function runChild(
  dataDir: string,
  mode: 'once' | 'hold',
): { child: ChildProcess; report: Promise<ChildReport> } {
  const child = spawn(process.execPath, [join(here, 'support', 'child-lock.mjs'), modDir, dataDir, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const report = new Promise<ChildReport>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as ChildReport);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) without a report`)));
  });
  return { child, report };
}

const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())));

// Each test starts PGlite up to three times (here and in children), each a WebAssembly start
// that takes a minute on a loaded machine: the timeouts bound a hang, they time nothing.
describe('PGlite folder lock, across real processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'ispm-lock-'));
  beforeAll(transpile);
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(modRoot, { recursive: true, force: true });
  });

  it('a second process gets a clear error while this one holds the folder, and the data stays intact', async () => {
    const dataDir = join(root, 'a');
    const db = await openPglite({ dataDir });
    await db.query('CREATE TABLE t (v int)');
    await db.query('INSERT INTO t VALUES (42)');
    const { child, report } = runChild(dataDir, 'once');
    const r = await report;
    await exited(child);
    expect(r).toMatchObject({ ok: false, code: PostgresErrorCodes.DB_DATADIR_LOCKED });
    expect(r.message).toContain(`in use by process ${process.pid}`);
    expect(child.exitCode).toBe(3);
    expect((await db.query<{ v: number }>('SELECT v FROM t')).rows).toEqual([{ v: 42 }]);
    await db.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    // Released: the child can now open it and sees our row (then adds its own).
    const again = runChild(dataDir, 'once');
    expect(await again.report).toMatchObject({ ok: true });
    await exited(again.child);
    const reopened = await openPglite({ dataDir });
    expect((await reopened.query<{ v: number }>('SELECT v FROM t ORDER BY v')).rows).toEqual([
      { v: 1 },
      { v: 42 },
    ]);
    await reopened.close();
  }, 300_000);

  it('this process is refused while a child holds it; a killed holder leaves a stale lock that is taken over', async () => {
    const dataDir = join(root, 'b');
    const { child, report } = runChild(dataDir, 'hold');
    const r = await report;
    expect(r.ok).toBe(true);
    await expect(openPglite({ dataDir })).rejects.toThrow(DataDirLockedError);
    await expect(openPglite({ dataDir })).rejects.toMatchObject({
      code: PostgresErrorCodes.DB_DATADIR_LOCKED,
      status: 503,
      plugin: 'postgres',
    });
    await expect(openPglite({ dataDir })).rejects.toThrow(`in use by process ${r.pid}`);
    child.kill('SIGKILL');
    await exited(child);
    expect(readFileSync(`${dataDir}.lock`, 'utf8').split('\n')[0]).toBe(String(r.pid));
    const db = await openPglite({ dataDir });
    expect(readFileSync(`${dataDir}.lock`, 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await db.close();
  }, 300_000);
});
