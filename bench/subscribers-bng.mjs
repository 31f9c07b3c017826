// One BNG's `/ppp/active` in the MikroTik driver, alone (issue 16: "a BNG with 8,000 active
// sessions: one poll's diff costs <= 20 ms CPU"): the same in-process part as the end of
// bench/mikrotik.mjs — 8,000 rows of `/ppp/active` and of their `<pppoe-USER>` interfaces, encoded
// as a router sends them, decoded by the driver's reader (measured apart), then parsed into facts
// and diffed by the `SessionTracker` — without the 1,000-router fleet, so it can be profiled
// (`node --cpu-prof --expose-gc bench/subscribers-bng.mjs`). Not a test: it prints figures and, as
// its last line, `BENCH_RESULT {json}`.
// Run: npx tsc -b packages/plugin-mikrotik && node --expose-gc bench/subscribers-bng.mjs
//      (BENCH_BNG_SESSIONS, BENCH_POLLS; BENCH_QUICK=1: 20 polls)
import { cpuUsage } from 'node:process';
import { encodeSentence, parseReply, SentenceReader } from '@ispmonitor/plugin-mikrotik';
import { parsePpp } from '../packages/plugin-mikrotik/dist/parts/subscribers.js';
import { SessionTracker } from '../packages/plugin-mikrotik/dist/sessions.js';

const SESSIONS = Number(process.env.BENCH_BNG_SESSIONS ?? 8000);
const POLLS = Number(process.env.BENCH_POLLS ?? (process.env.BENCH_QUICK === '1' ? 20 : 60));
const CHURN = 10; // sessions that reconnect between two polls (2 %/h of 8,000 is ~3 a minute)

const cpuMs = (u) => (u.user + u.system) / 1000;
const hex = (n) => n.toString(16).toUpperCase();
const mac = (n) =>
  `00:0C:42:${hex((n >> 16) & 255).padStart(2, '0')}:${hex((n >> 8) & 255).padStart(2, '0')}:${hex(n & 255).padStart(2, '0')}`;
/** A `/ppp/active` row; `gen` moves on when the user reconnects (a new `.id`). */
const row = (n, gen, poll) => ({
  '.id': `*${hex(0x800000 + gen * SESSIONS + n)}`,
  name: `user${n}@isp`,
  service: 'pppoe',
  'caller-id': mac(n),
  address: `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`,
  // The uptime moves on every poll, as on a router (a minute a poll).
  uptime: `${n % 7}d${n % 24}h${(n + poll) % 60}m${n % 60}s`,
});
const ifRow = (n, poll) => ({
  name: `<pppoe-user${n}@isp>`,
  type: 'pppoe-in',
  'rx-byte': String(1_000_000 * n + poll * 37_000),
  'tx-byte': String(9_000_000 * n + poll * 410_000),
});
/** The reply bytes of a `print` of `rows`, as a router sends them. */
const wire = (rows) =>
  Buffer.concat([
    ...rows.map((r) => encodeSentence(['!re', ...Object.entries(r).map(([k, v]) => `=${k}=${v}`)])),
    encodeSentence(['!done']),
  ]);
/** Rows decoded by the driver's own reader, as `command` returns them. */
const decode = (bytes) => {
  const rows = [];
  new SentenceReader((words) => {
    const reply = parseReply(words);
    if (reply.type === '!re') rows.push(reply.attrs);
  }).push(bytes);
  return rows;
};
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    p50: s[Math.floor(s.length / 2)],
    p95: s[Math.floor(s.length * 0.95)],
    max: s[s.length - 1],
  };
};

const gens = new Array(SESSIONS).fill(0);
const tracker = new SessionTracker();
const per = [];
const decodeCpu = [];
let changes = 0;
for (let p = 0; p <= POLLS; p++) {
  for (let k = 0; k < CHURN; k++) gens[(p * 7919 + k * 104_729) % SESSIONS]++;
  const pppBytes = wire(gens.map((g, n) => row(n, g, p)));
  const ifBytes = wire(gens.map((_, n) => ifRow(n, p)));
  // The bench's own garbage (building the replies) is collected first, outside the figures.
  globalThis.gc?.();
  const d0 = cpuUsage();
  const rows = decode(pppBytes);
  const ifs = decode(ifBytes);
  if (p > 0) decodeCpu.push(cpuMs(cpuUsage(d0)));
  const t0 = cpuUsage();
  // The driver's path: the tracker parses and diffs (remembering last poll's rows) when it can;
  // an older tracker diffs what `parsePpp` made.
  const diff = tracker.read ? tracker.read(rows, ifs).change : tracker.update(parsePpp(rows, ifs).sessions);
  if (p > 0) per.push(cpuMs(cpuUsage(t0)));
  if (diff) changes += diff.appeared.length + diff.vanished.length;
}
const parse = stats(per);
const decoded = stats(decodeCpu);
const f = (n) => Number(n.toFixed(2));
console.error(
  `BNG ${SESSIONS} sessions, ${POLLS} polls, ${CHURN} reconnects a poll (${changes} changes seen): parse + diff min ${f(parse.min)} / p50 ${f(parse.p50)} / mean ${f(parse.mean)} / p95 ${f(parse.p95)} / max ${f(parse.max)} ms CPU; decode p50 ${f(decoded.p50)} ms`,
);
console.log(
  `BENCH_RESULT ${JSON.stringify({
    name: 'subscribers-bng',
    figures: {
      bng_sessions: SESSIONS,
      parse_diff_ms_min: f(parse.min),
      parse_diff_ms_p50: f(parse.p50),
      parse_diff_ms_mean: f(parse.mean),
      parse_diff_ms_p95: f(parse.p95),
      parse_diff_ms_max: f(parse.max),
      decode_ms_p50: f(decoded.p50),
      changes,
    },
    reference: {},
    ratios: {},
    goals: { parse_diff_ms_mean: '<= 20' },
  })}`,
);
