// Prints the plain closing line CI reads: "tests: N passed, N failed, N skipped".
// In strict mode (ISPM_STRICT_TESTS=1, which scripts/test.sh sets; or CI) it also fails — exit 1 —
// on any skipped test that test/allowed-skips.json does not allow with a reason: a missing peer
// must fail a strict run, not hide in the skipped count.
//
//   node scripts/test-summary.mjs REPORT.json [--allowed FILE] [--filtered]
//
// --filtered: the run picked tests by name (-t), so skips are expected; listed, not failed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SKIPPED = new Set(['skipped', 'pending', 'todo']);

/** Same rule as packages/core/src/testing/peers.ts `strictTests` (a script cannot import TS). */
function strict(env) {
  const flag = env.ISPM_STRICT_TESTS;
  const on = (v) => v !== '0' && v.toLowerCase() !== 'false';
  if (flag !== undefined && flag !== '') return on(flag);
  return env.CI !== undefined && env.CI !== '' && on(env.CI);
}

/** `{ "substring of a test's full name": "why it may be skipped" }`; entries starting with `//` are comments. */
function readAllowed(file) {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const entries = Object.entries(raw).filter(([key]) => !key.startsWith('//'));
  for (const [key, reason] of entries) {
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new Error(`${file}: "${key}" has no reason`);
  }
  return entries;
}

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, 2)[1];
};
const filtered = args.includes('--filtered');
const allowedFile =
  option('--allowed') ?? fileURLToPath(new URL('../test/allowed-skips.json', import.meta.url));
const reportFile = args.find((a) => !a.startsWith('--'));
if (!reportFile) {
  console.error('usage: node scripts/test-summary.mjs REPORT.json [--allowed FILE] [--filtered]');
  process.exit(2);
}

const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const skips = [];
for (const file of report.testResults ?? []) {
  for (const t of file.assertionResults ?? []) {
    if (SKIPPED.has(t.status)) skips.push({ file: file.name, name: t.fullName });
  }
}
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skips.length} skipped`,
);

if (strict(process.env) && skips.length > 0) {
  const allowed = readAllowed(allowedFile);
  const refused = [];
  const byKey = new Map();
  for (const skip of skips) {
    const hit = allowed.find(([key]) => skip.name.includes(key));
    if (hit) byKey.set(hit, (byKey.get(hit) ?? 0) + 1);
    else refused.push(skip);
  }
  for (const [[key, reason], n] of byKey) console.log(`  ${n} skipped as allowed ("${key}"): ${reason}`);
  for (const skip of refused) console.log(`  SKIPPED, not allowed: ${skip.name}  [${skip.file}]`);
  if (refused.length > 0 && !filtered) {
    console.log(
      `strict tests: ${refused.length} skipped test(s) not listed in ${allowedFile}; ` +
        'install the missing peer (scripts/install-services.sh) or list the skip there with its reason',
    );
    process.exit(1);
  }
}
