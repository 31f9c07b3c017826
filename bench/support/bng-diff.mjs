// One BNG's `/ppp/active` in the MikroTik driver, in process (issue 16: "a BNG with 8,000 active
// sessions: one poll's diff costs <= 20 ms CPU"): rows of `/ppp/active` and of their
// `<pppoe-USER>` interfaces, encoded as a router sends them, decoded by the driver's reader
// (measured apart), then parsed into facts and diffed the driver's way (`SessionTracker.read`,
// which remembers last poll's rows). Used by bench/subscribers-bng.mjs (alone, to profile) and by
// the last part of bench/mikrotik.mjs. Needs `npx tsc -b packages/plugin-mikrotik`.
import { cpuUsage } from 'node:process';
import { encodeSentence, parseReply, SentenceReader } from '@ispmonitor/plugin-mikrotik';
import { parsePpp } from '../../packages/plugin-mikrotik/dist/parts/subscribers.js';
import { SessionTracker } from '../../packages/plugin-mikrotik/dist/sessions.js';

const cpuMs = (u) => (u.user + u.system) / 1000;
const hex = (n) => n.toString(16).toUpperCase();
const mac = (n) =>
  `00:0C:42:${hex((n >> 16) & 255).padStart(2, '0')}:${hex((n >> 8) & 255).padStart(2, '0')}:${hex(n & 255).padStart(2, '0')}`;

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

/** min, mean, p50, p95, p99 and max of CPU milliseconds. */
export function cpuStats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    p50: s[Math.floor(s.length / 2)],
    p95: s[Math.floor(s.length * 0.95)],
    p99: s[Math.floor(s.length * 0.99)],
    max: s[s.length - 1],
  };
}

/**
 * `polls` polls of a BNG with `sessions` sessions, `churn` of them reconnecting (a new `.id`)
 * between two polls; uptimes and byte counters move every poll, as on a router. The first poll
 * (nothing remembered yet) is left out of the figures.
 */
export function measureBngDiff({ sessions = 8000, polls = 60, churn = 10 } = {}) {
  /** A `/ppp/active` row; `gen` moves on when the user reconnects. */
  const row = (n, gen, poll) => ({
    '.id': `*${hex(0x800000 + gen * sessions + n)}`,
    name: `user${n}@isp`,
    service: 'pppoe',
    'caller-id': mac(n),
    address: `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`,
    uptime: `${n % 7}d${n % 24}h${(n + poll) % 60}m${n % 60}s`,
  });
  const ifRow = (n, poll) => ({
    name: `<pppoe-user${n}@isp>`,
    type: 'pppoe-in',
    'rx-byte': String(1_000_000 * n + poll * 37_000),
    'tx-byte': String(9_000_000 * n + poll * 410_000),
  });
  const gens = new Array(sessions).fill(0);
  const tracker = new SessionTracker();
  const per = [];
  const decodeCpu = [];
  let changes = 0;
  for (let p = 0; p <= polls; p++) {
    for (let k = 0; k < churn; k++) gens[(p * 7919 + k * 104_729) % sessions]++;
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
    // an older build's tracker diffs what `parsePpp` made.
    const diff = tracker.read ? tracker.read(rows, ifs).change : tracker.update(parsePpp(rows, ifs).sessions);
    if (p > 0) per.push(cpuMs(cpuUsage(t0)));
    if (diff) changes += diff.appeared.length + diff.vanished.length;
  }
  return { parse: cpuStats(per), decoded: cpuStats(decodeCpu), changes };
}
