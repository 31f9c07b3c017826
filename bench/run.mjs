// `npm run bench [-- name…] [--quick]`: runs every bench/*.mjs (but this file), one child process
// each, one after the other, and prints their results side by side.
//
// Each benchmark prints, as the last line starting with `BENCH_RESULT `, a JSON object
// `{ name, figures, reference, ratios, goals }`. A goal is either a boolean (met or not) or a
// string like "<= 20" compared with the figure (or ratio) of the same key.
// Results go to .cache/bench/latest.json (gitignored). The exit code is non-zero only when a
// benchmark crashed (non-zero exit, or no BENCH_RESULT line): a missed goal is a finding, not a
// failure. `--quick` is passed on as BENCH_QUICK=1 (smaller sizes).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 3600);

const all = readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .sort();
const unknown = wanted.filter((w) => !all.includes(`${w}.mjs`));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')} (have: ${all.map((f) => basename(f, '.mjs')).join(', ')})`,
  );
  process.exit(2);
}
const selected = wanted.length > 0 ? all.filter((f) => wanted.includes(basename(f, '.mjs'))) : all;

// Benchmarks import the built packages (dist/): build once if nothing was built yet.
if (!existsSync(join(root, 'packages/core/dist'))) {
  console.log('packages/core/dist is missing: running npm run build');
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('build failed');
    process.exit(1);
  }
}

/** Runs one benchmark; echoes its output and returns its BENCH_RESULT. */
function runOne(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(benchDir, file)], {
      cwd: root,
      env: { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let last;
    let buf = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('BENCH_RESULT ')) last = l;
    });
    const timer = setTimeout(() => {
      console.error(`\n${file}: no end after ${timeoutS} s, stopping it`);
      // The benchmark leads its own process group (detached): stop it and its children.
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (buf.startsWith('BENCH_RESULT ')) last = buf;
      const out = {
        file,
        exitCode: code,
        signal,
        durationS: +((performance.now() - started) / 1000).toFixed(1),
      };
      if (!last) return resolve({ ...out, error: 'no BENCH_RESULT line' });
      try {
        resolve({ ...out, result: JSON.parse(last.slice('BENCH_RESULT '.length)) });
      } catch (err) {
        resolve({ ...out, error: `bad BENCH_RESULT JSON: ${err.message}` });
      }
    });
  });
}

/** Whether a goal is met: booleans as they are, "<= 20"-style strings against the value. */
function met(goal, value) {
  if (typeof goal === 'boolean') return goal;
  const m = typeof goal === 'string' ? /^\s*(<=|>=|<|>|==)\s*(-?[\d.e+]+)/.exec(goal) : null;
  if (!m || typeof value !== 'number') return undefined;
  const t = Number(m[2]);
  return { '<=': value <= t, '>=': value >= t, '<': value < t, '>': value > t, '==': value === t }[m[1]];
}

const fmt = (v) => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number')
    return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

const runs = [];
for (const file of selected) {
  console.log(`\n=== ${file}${quick ? ' (quick)' : ''} ===`);
  runs.push(await runOne(file));
}

// The side-by-side table: one row per figure, then goals on keys that are not figures.
const rows = [['bench', 'figure', 'value', 'reference', 'ratio', 'goal', 'met']];
for (const r of runs) {
  const name = r.result?.name ?? basename(r.file, '.mjs');
  if (!r.result) {
    rows.push([name, `CRASHED (${r.error}; exit ${r.exitCode ?? r.signal})`, '', '', '', '', '']);
    continue;
  }
  const { figures = {}, reference = {}, ratios = {}, goals = {} } = r.result;
  for (const [k, v] of Object.entries(figures)) {
    const goal = goals[k];
    const ok = goal === undefined ? undefined : met(goal, v);
    rows.push([
      name,
      k,
      fmt(v),
      fmt(reference[k]),
      fmt(ratios[k]),
      fmt(goal),
      ok === undefined ? '' : ok ? 'yes' : 'NO',
    ]);
  }
  for (const [k, goal] of Object.entries(goals)) {
    if (k in figures) continue;
    const ok = met(goal, typeof ratios[k] === 'number' ? ratios[k] : undefined);
    rows.push([name, k, '', '', fmt(ratios[k]), fmt(goal), ok === undefined ? '' : ok ? 'yes' : 'NO']);
  }
}
const widths = rows[0].map((_, c) => Math.min(60, Math.max(...rows.map((row) => String(row[c]).length))));
console.log('\n=== results ===');
for (const row of rows) console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join('  '));

const outDir = join(root, '.cache/bench');
mkdirSync(outDir, { recursive: true });
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  memGiB: +(totalmem() / 2 ** 30).toFixed(1),
  // Benchmarks share the machine: a high load average explains poor figures.
  loadavg: loadavg().map((l) => +l.toFixed(2)),
  quick,
  runs,
};
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${join('.cache/bench', 'latest.json')}`);
const crashed = runs.filter((r) => !r.result || r.exitCode !== 0);
if (crashed.length > 0) {
  console.error(`crashed: ${crashed.map((r) => r.file).join(', ')}`);
  process.exit(1);
}
