// Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by package, as shares
// of the busy (non-idle) samples. Usage: node bench/support/profile-summary.mjs FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/support/profile-summary.mjs FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

/** Where a frame comes from: a workspace package, a dependency, Node itself, or V8. */
function origin(url) {
  if (!url) return 'v8/native';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  const ours = /\/(packages|examples)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node';
  return url.replace(/^file:\/\//, '');
}

let total = 0;
let idle = 0;
const fns = new Map();
const origins = new Map();
for (const [id, n] of hits) {
  const node = byId.get(id);
  const f = node.callFrame;
  total += n;
  if (f.functionName === '(idle)') {
    idle += n;
    continue;
  }
  const where = f.url ? `${origin(f.url)} ${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  fns.set(key, (fns.get(key) ?? 0) + n);
  const o = ['(garbage collector)', '(program)'].includes(f.functionName) ? f.functionName : origin(f.url);
  origins.set(o, (origins.get(o) ?? 0) + n);
}
const busy = total - idle;
const pct = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${total} samples, ${((100 * busy) / total).toFixed(1)} % busy; shares of busy samples`);
console.log('\nby origin:');
for (const [k, n] of [...origins].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
console.log('\nby function (self time):');
for (const [k, n] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
