// One BNG's `/ppp/active` in the MikroTik driver, alone (issue 16: "a BNG with 8,000 active
// sessions: one poll's diff costs <= 20 ms CPU"): the same in-process part as the end of
// bench/mikrotik.mjs — 8,000 rows of `/ppp/active` and of their `<pppoe-USER>` interfaces, encoded
// as a router sends them, decoded by the driver's reader (measured apart), then parsed into facts
// and diffed by the `SessionTracker` — without the 1,000-router fleet, so it can be profiled
// (`node --cpu-prof --expose-gc bench/subscribers-bng.mjs`). Not a test: it prints figures and, as
// its last line, `BENCH_RESULT {json}`.
// Run: npx tsc -b packages/plugin-mikrotik && node --expose-gc bench/subscribers-bng.mjs
//      (BENCH_BNG_SESSIONS, BENCH_POLLS; BENCH_QUICK=1: 20 polls)
import { measureBngDiff } from './support/bng-diff.mjs';

const SESSIONS = Number(process.env.BENCH_BNG_SESSIONS ?? 8000);
const POLLS = Number(process.env.BENCH_POLLS ?? (process.env.BENCH_QUICK === '1' ? 20 : 60));
const CHURN = 10; // sessions that reconnect between two polls (2 %/h of 8,000 is ~3 a minute)

const { parse, decoded, changes } = measureBngDiff({ sessions: SESSIONS, polls: POLLS, churn: CHURN });
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
