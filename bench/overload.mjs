// Overload benchmark (issue 19): the demo at 500 routers (5 s interval, PGlite in its process)
// while a CPU hog — a busy loop in a child process — takes one core for 2 minutes. Goals: zero
// devices reported unreachable/offline that answered, zero device alerts from it, and the
// monitor's own `MonitorOverloaded` raised and then cleared.
//
// The demo runs as it ships (`ispmonitor demo`, a child process); this script watches it from
// outside, as an operator would: the API's event stream (`/api/v1/events`: every device status
// change, alert and `monitor:overloaded`), `/api/v1/alerts` and `/metrics` every 5 s, and at the end
// the stored status history (the outages report). Phases: settle (every router polled, the demo's staged
// problems played out, the monitor calm), before (60 s), during (the hog), after (until the monitor
// says it is calm again and `MonitorOverloaded` is resolved; at least 60 s).
//
// The demo stages one router that stops answering SNMP (`in Ns: <id> stops answering SNMP`): it is
// excluded by name, and only it. Its other staged problems (a CPU spike, an uplink down) keep
// their routers answering, so those routers still count. A "device alert from the overload" is an
// alert on a device that fires from the hog's start on and was not pending or firing in the last
// reading before it (the staged problems' alerts, the BNGs' own, all fire or pend before the hog).
// A monitor that never gets calm before the hog (300 s at most) is measured anyway, and says so
// (`calm_before: false`, `overloaded_share_before`). MonitorOverloaded counts as raised by the hog
// only when the monitor was calm in the last reading before it, and as cleared only then. When a
// goal about it is not met, `why_not` says why, from the demo's main thread's run and CPU-wait
// shares (Linux schedstat) and the machine's busy cores per phase: a hog that leaves the demo the
// CPU it needs rightly raises nothing; a host short of CPU without the hog keeps it from clearing.
//
// The hog: by default twice as many busy processes as cores (4 on the 2-core machine). One busy
// process takes one core, and the demo at 500 routers needs about half of one: on 2 cores it keeps
// up beside one hog (quiet run, 5 Dec: no slot dropped, lag p99 57 ms), so the monitor rightly says
// nothing and there is nothing to clear. Outnumbering its threads on every core is what starves it
// (quiet run: its main thread waited for a CPU 60 % of the time, 394 slots dropped) — the case the
// goal "raised and cleared" is about. BENCH_OVERLOAD_HOGS=1 is the issue's literal one-core hog.
//
// Settings: BENCH_OVERLOAD_ROUTERS (500), BENCH_OVERLOAD_HOG_S (120), BENCH_OVERLOAD_HOGS (busy
// processes, 2 × cores), BENCH_OVERLOAD_BEFORE_S (60), BENCH_OVERLOAD_HISTORY=1 (the 30 days of backfill,
// as `npm start` does; default off: the target is about polling, and the backfill only delays the
// start), BENCH_OVERLOAD_PORT (API port, 20110; metrics on the next one). BENCH_QUICK=1: 100
// routers, a 30 s hog. POLLER_WORKERS / POLLER_CONCURRENT pass through to the demo.
// Not a test: it prints phases and, last, `BENCH_RESULT {json}`; the demo's log is kept in
// .cache/bench/overload-demo.log.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = !!process.env.BENCH_QUICK;
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const routers = env('BENCH_OVERLOAD_ROUTERS', quick ? 100 : 500);
const hogS = env('BENCH_OVERLOAD_HOG_S', quick ? 30 : 120);
const hogs = env('BENCH_OVERLOAD_HOGS', 2 * availableParallelism());
const beforeS = env('BENCH_OVERLOAD_BEFORE_S', quick ? 30 : 60);
const afterMinS = env('BENCH_OVERLOAD_AFTER_MIN_S', 60);
const afterMaxS = env('BENCH_OVERLOAD_AFTER_MAX_S', 300);
const settleMaxS = env('BENCH_OVERLOAD_SETTLE_MAX_S', 300);
const history = process.env.BENCH_OVERLOAD_HISTORY === '1';
const apiPort = env('BENCH_OVERLOAD_PORT', 20110);
const api = `http://127.0.0.1:${apiPort}`;
const metricsUrl = `http://127.0.0.1:${apiPort + 1}/metrics`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cores = availableParallelism();
// The demo runs with core's defaults (`poller.overload`): overloaded from a probe lag of 1 s (or a
// poll waiting 10 s for a slot, 5 slots dropped by the monitor's fault in 10 s, or a skipped
// poll); calm again after 30 s with the lag below 500 ms, no poll waiting 5 s, none skipped and
// no slot dropped by its fault. MonitorOverloaded fires after 1 minute overloaded.
const LAG_MS = 1000;
const CLEAR_S = 30;
const ALERT_FOR_S = 60;
const t0 = Date.now();
const log = (msg) => console.log(`${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s  ${msg}`);

/** Starts the demo; resolves with its staged problems once it printed its URLs. */
async function startDemo() {
  mkdirSync(join(root, '.cache/bench'), { recursive: true });
  const logFile = createWriteStream(join(root, '.cache/bench/overload-demo.log'));
  const args = ['examples/server/dist/cli.js', 'demo', '--routers', String(routers)];
  args.push('--api-port', String(apiPort), '--metrics-port', String(apiPort + 1));
  if (!history) args.push('--no-history');
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(logFile);
  const problems = [];
  let out = '';
  await new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`demo exited with ${code}: see .cache/bench/overload-demo.log`)),
    );
    child.stdout.on('data', (chunk) => {
      out += chunk;
      logFile.write(chunk);
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\s+in (\d+)s: (\S+) (.*)$/.exec(line);
        if (m) problems.push({ device: m[2], what: m[3], at: Date.now() + Number(m[1]) * 1000 });
        if (/^ISP Monitor demo:/.test(line)) log(line.trim());
        // The staged problems are printed right after the metrics URL, in the same turn.
        if (/^\s+metrics\s/.test(line)) setTimeout(resolve, 500);
      }
    });
  });
  return { child, problems };
}

async function login() {
  const res = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'ispmonitor-demo' }),
  });
  if (res.status !== 200) throw new Error(`login: HTTP ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** Follows `/api/v1/events`, reconnecting when it drops; each event goes to `on(name, data, at)`. */
function followEvents(cookie, on) {
  const ctrl = new AbortController();
  const state = { stopped: false, reconnects: 0 };
  (async () => {
    while (!state.stopped) {
      try {
        const res = await fetch(`${api}/api/v1/events`, { headers: { cookie }, signal: ctrl.signal });
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body) {
          buf += decoder.decode(chunk, { stream: true });
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) on(event, JSON.parse(data), Date.now());
          }
        }
      } catch {
        // Dropped (or stopped): reconnect below; the status history read at the end fills any gap.
      }
      if (!state.stopped) {
        state.reconnects++;
        await sleep(1000);
      }
    }
  })();
  return {
    reconnects: () => state.reconnects,
    stop() {
      state.stopped = true;
      ctrl.abort();
    },
  };
}

/** `/metrics` as { 'name{labels}': value }. */
async function scrape() {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(30_000) })).text();
  const out = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('ispmonitor_')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

async function alerts(cookie) {
  const res = await fetch(`${api}/api/v1/alerts`, {
    headers: { cookie },
    signal: AbortSignal.timeout(30_000),
  });
  return res.status === 200 ? (await res.json()).items : [];
}

/** A busy loop in a child process for `ms`; resolves with the CPU it got, in seconds. */
function hog(ms) {
  const code = `const end = Date.now() + ${ms}; while (Date.now() < end) {} const u = process.cpuUsage(); console.log((u.user + u.system) / 1e6);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  return new Promise((resolve) => child.once('exit', () => resolve(Number(out.trim()))));
}

/**
 * Where the demo's CPU time goes, from /proc (Linux; undefined elsewhere): its main thread (the
 * event loop that polls, `tid == pid`) — time run and time waited for a CPU while runnable
 * (`schedstat`, ns) — and the whole machine's busy and total CPU ticks (`/proc/stat`). A probe lag
 * the main thread spent waiting for a CPU is the host's shortage, not the monitor's own work.
 */
function procReading(pid) {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th fields; steal (8th) is time the host took, not ours.
    const busy = total - (cpu[3] ?? 0) - (cpu[4] ?? 0) - (cpu[7] ?? 0);
    return { at: Date.now(), runNs, waitNs, busy, total };
  } catch {
    return undefined;
  }
}

/** Figures between two `procReading`s: the main thread's cores and CPU-wait share, the machine's busy cores. */
function procDelta(a, b) {
  if (!a || !b || b.at <= a.at) return {};
  const wallNs = (b.at - a.at) * 1e6;
  return {
    main_thread_cores: +((b.runNs - a.runNs) / wallNs).toFixed(2),
    main_thread_cpu_wait_share: +((b.waitNs - a.waitNs) / wallNs).toFixed(2),
    machine_busy_cores: +(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * cores).toFixed(2),
  };
}

log(
  `overload benchmark: ${routers} routers, ${hogs} hog(s) for ${hogS} s, history ${history ? 'on' : 'off'}, POLLER_WORKERS=${process.env.POLLER_WORKERS ?? 1}, load ${loadavg()[0].toFixed(1)}`,
);
const demo = await startDemo();
// Whatever happens to this script, the demo does not outlive it.
process.on('exit', () => demo.child.kill('SIGTERM'));
let stopping = false;
demo.child.once('exit', (code, signal) => {
  if (stopping) return;
  // Nothing left to watch: say so and end, rather than wait out every phase against a dead port.
  log(`the demo exited early (${signal ?? code}): see .cache/bench/overload-demo.log`);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ name: 'overload', error: `demo exited (${signal ?? code})` })}`,
  );
  process.exit(1);
});
const dead = new Set(demo.problems.filter((p) => /stops answering/.test(p.what)).map((p) => p.device));
log(`staged problems: ${demo.problems.map((p) => `${p.device} ${p.what}`).join('; ')}`);
const cookie = await login();

// Everything seen, stamped with the time it was seen.
const statuses = []; // { device, status, at }
const firing = []; // { fingerprint, rule, device, at }
const overloads = []; // { overloaded, reason, at }
const stream = followEvents(cookie, (event, data, at) => {
  if (event === 'device:status') statuses.push({ device: data.device, status: data.status, at });
  else if (event === 'alert:firing')
    firing.push({
      fingerprint: data.fingerprint,
      rule: data.labels?.alertname,
      device: data.labels?.device,
      at,
    });
  else if (event === 'monitor:overloaded')
    overloads.push({ overloaded: data.overloaded, reason: data.reason, at });
  else if (event === 'hello' && data.overload) overloads.push({ ...data.overload, hello: true, at });
});

// Every 5 s: the metrics, and the alerts (their states); kept per phase.
const samples = []; // { at, m, alerts, proc }
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    const at = Date.now();
    try {
      const [m, a] = await Promise.all([scrape(), alerts(cookie)]);
      samples.push({ at, m, alerts: a, proc: procReading(demo.child.pid) });
    } catch {
      // The demo too busy to answer within the round: the next round tries again.
    }
    await sleep(5000 - (Date.now() - at));
  }
})();
const latest = () => samples.at(-1);
const gauge = (s, key) => s?.m[key] ?? Number.NaN;
/** MonitorOverloaded's state in a reading: firing, pending or none (resolved ones stay listed a while). */
const monitorAlert = (s) => {
  const states = new Set(s?.alerts.filter((a) => a.rule === 'MonitorOverloaded').map((a) => a.state));
  return states.has('firing') ? 'firing' : states.has('pending') ? 'pending' : 'none';
};

// Settle: every router polled, the staged problems played out (the dead router offline after
// `downAfter` 30 s, its alert after 5 s more), the monitor calm — or give up waiting for calm.
// After `settleMaxS` the run goes on whatever the state, and says which condition was not met.
const problemsDone = Math.max(0, ...demo.problems.map((p) => p.at)) + 45_000;
const settleEnd = Date.now() + settleMaxS * 1000;
let settled = { polled: false, calm: false };
for (;;) {
  await sleep(1000);
  const s = latest();
  const polled = gauge(s, 'ispmonitor_routers_total{status="unknown"}') === 0;
  const calm = gauge(s, 'ispmonitor_poller_overloaded') === 0 && monitorAlert(s) === 'none';
  settled = { polled, calm };
  const late = Date.now() > settleEnd;
  if ((polled && Date.now() >= problemsDone && calm) || (late && Date.now() >= problemsDone)) {
    const notPolled = polled
      ? ''
      : `, ${gauge(s, 'ispmonitor_routers_total{status="unknown"}')} routers NOT YET POLLED`;
    log(`settled: staged problems done${notPolled}, monitor ${calm ? 'calm' : 'STILL OVERLOADED'}`);
    break;
  }
}
const phases = {};
const mark = (name) => {
  phases[name] = { from: Date.now(), load: loadavg()[0], procFrom: procReading(demo.child.pid) };
};
const close = (name) => {
  Object.assign(phases[name], { to: Date.now(), loadEnd: loadavg()[0], procTo: procReading(demo.child.pid) });
};

mark('before');
log(`before: ${beforeS} s`);
await sleep(beforeS * 1000);
close('before');

mark('during');
log(`during: ${hogs} busy process(es) for ${hogS} s`);
const hogCpu = await Promise.all(Array.from({ length: hogs }, () => hog(hogS * 1000)));
close('during');

mark('after');
log('after: until the monitor is calm and MonitorOverloaded resolved');
const afterStart = Date.now();
for (;;) {
  await sleep(1000);
  const s = latest();
  const calm = gauge(s, 'ispmonitor_poller_overloaded') === 0 && monitorAlert(s) === 'none';
  const waited = (Date.now() - afterStart) / 1000;
  if ((calm && waited >= afterMinS && (s?.at ?? 0) > afterStart + afterMinS * 1000) || waited >= afterMaxS) {
    if (!calm) log(`after: still overloaded ${afterMaxS} s after the hog; ending (why: below)`);
    break;
  }
}
close('after');
sampling = false;
await sampler;

// The stored status history since the start, as the outages report (one request): a change the
// stream missed counts too.
const stored = [];
let historyRead = false;
try {
  const res = await fetch(`${api}/api/v1/reports/outages?from=${t0}`, {
    headers: { cookie },
    signal: AbortSignal.timeout(120_000),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  for (const o of (await res.json()).outages)
    stored.push({ device: o.router, status: o.cause === 'down' ? 'offline' : 'unreachable', at: o.start });
  historyRead = true;
} catch (err) {
  log(`the outages report could not be read (${err.message}): the event stream alone counts`);
}
stream.stop();
stopping = true;
demo.child.kill('SIGTERM');
await new Promise((r) => demo.child.once('exit', r));

/** Fingerprints of the alerts pending or firing in the last reading before `t`. */
function activeAt(t) {
  const last = samples.filter((s) => s.at < t).at(-1);
  return new Set(last?.alerts.filter((a) => a.state !== 'resolved').map((a) => a.fingerprint));
}

/**
 * The longest run of consecutive readings in which nothing held the overloaded state: the probe's
 * lag (its largest in the last 5–10 s) below half of `lag` and no poll skipped since the reading
 * before. Clearing needs such a run of `CLEAR_S`; in seconds, the window of the first reading
 * (5 s) included.
 */
function longestCalm(readings) {
  let longest = 0;
  let start;
  let prev;
  const more = (s, key) => gauge(s, key) > gauge(prev, key);
  for (const s of readings) {
    // (Slots dropped behind a running poll count only on a blocked loop, which /metrics does not
    // say per window: the queued ones alone are read here.)
    const calm =
      gauge(s, 'ispmonitor_event_loop_lag_seconds') * 1000 < LAG_MS / 2 &&
      !more(s, 'ispmonitor_polls_skipped_total{reason="overloaded"}') &&
      !more(s, 'ispmonitor_poll_overruns_total{reason="queued"}');
    if (!calm) start = undefined;
    else {
      start ??= s.at - 5000;
      longest = Math.max(longest, s.at - start);
    }
    prev = s;
  }
  return Math.round(longest / 1000);
}

/** Figures of one phase. */
function phase(name) {
  const { from, to, load, loadEnd, procFrom, procTo } = phases[name];
  const within = (x) => x.at >= from && x.at < to;
  const down = new Set(
    [...statuses, ...stored]
      .filter(
        (x) => within(x) && (x.status === 'unreachable' || x.status === 'offline') && !dead.has(x.device),
      )
      .map((x) => x.device),
  );
  const fired = new Map();
  for (const a of firing) if (within(a)) fired.set(a.fingerprint, a);
  // Alerts the 5-s snapshots saw firing (in case the stream missed the event).
  for (const s of samples.filter(within))
    for (const a of s.alerts)
      if (a.state === 'firing' && !fired.has(a.fingerprint))
        fired.set(a.fingerprint, { fingerprint: a.fingerprint, rule: a.rule, device: a.labels?.device });
  // New: not pending or firing in the last reading before this phase (before) or the hog (after).
  const active = activeAt(name === 'before' ? from : phases.during.from);
  const deviceAlerts = [...fired.values()].filter(
    (a) => a.device && !dead.has(a.device) && !active.has(a.fingerprint),
  );
  const inPhase = samples.filter(within);
  const first = inPhase[0];
  const last = inPhase.at(-1);
  const delta = (key) => +((gauge(last, key) || 0) - (gauge(first, key) || 0)).toFixed(3);
  const lagP99 = inPhase.map((s) => gauge(s, 'ispmonitor_nodejs_eventloop_lag_p99_seconds') * 1000);
  const sorted = [...lagP99].filter(Number.isFinite).sort((a, b) => a - b);
  const wallS = last && first ? (last.at - first.at) / 1000 : Number.NaN;
  return {
    seconds: Math.round((to - from) / 1000),
    false_down_devices: [...down],
    device_alerts: deviceAlerts.map((a) => `${a.rule} ${a.device}`),
    overloaded_events: overloads.filter((o) => within(o) && !o.hello).map((o) => o.overloaded),
    overloaded_gauge_max: Math.max(0, ...inPhase.map((s) => gauge(s, 'ispmonitor_poller_overloaded'))),
    // Share of the 5-s readings during which the monitor said it was overloaded.
    overloaded_share: +(
      inPhase.filter((s) => gauge(s, 'ispmonitor_poller_overloaded') === 1).length /
      Math.max(1, inPhase.length)
    ).toFixed(2),
    monitor_alert_states: [...new Set(inPhase.map(monitorAlert))],
    polls_skipped: delta('ispmonitor_polls_skipped_total{reason="overloaded"}'),
    timeout_extensions: delta('ispmonitor_poll_timeout_extensions_total'),
    poll_timeouts: delta('ispmonitor_poll_timeouts_total'),
    // Slots dropped: behind a poll still waiting for a free slot (the monitor behind: an overload
    // signal), or behind one still running (a slow or silent device: not one).
    overruns_queued: delta('ispmonitor_poll_overruns_total{reason="queued"}'),
    overruns_running: delta('ispmonitor_poll_overruns_total{reason="running"}'),
    overloaded_reasons: overloads.filter((o) => within(o) && o.overloaded && !o.hello).map((o) => o.reason),
    lag_p99_ms_max: sorted.length ? Math.round(sorted.at(-1)) : null,
    lag_p99_ms_median: sorted.length ? Math.round(sorted[Math.floor(sorted.length / 2)]) : null,
    probe_lag_ms_max: Math.round(
      Math.max(0, ...inPhase.map((s) => gauge(s, 'ispmonitor_event_loop_lag_seconds') * 1000)),
    ),
    longest_calm_s: longestCalm(inPhase),
    demo_cores: +(delta('ispmonitor_process_cpu_seconds_total') / wallS).toFixed(2),
    ...procDelta(procFrom, procTo),
    load: `${load.toFixed(1)}–${loadEnd.toFixed(1)}`,
  };
}

const result = { before: phase('before'), during: phase('during'), after: phase('after') };
for (const [name, r] of Object.entries(result)) log(`${name.padEnd(6)} ${JSON.stringify(r)}`);
const during = result.during;
const after = result.after;
// Raised by the hog: calm in the last reading before it (else the overload, and its alert, came
// from before the hog and says nothing about it), overloaded during it, the alert firing.
const atHogStart = samples.filter((s) => s.at < phases.during.from).at(-1);
const calmAtHogStart =
  gauge(atHogStart, 'ispmonitor_poller_overloaded') === 0 && monitorAlert(atHogStart) === 'none';
const raised =
  calmAtHogStart &&
  during.overloaded_gauge_max === 1 &&
  [...during.monitor_alert_states, ...after.monitor_alert_states].includes('firing');
const lastSample = samples.at(-1);
// Cleared: raised by the hog, then calm at the end and MonitorOverloaded neither pending nor
// firing (resolved) — whether the state left during the hog or after it.
const cleared =
  raised && gauge(lastSample, 'ispmonitor_poller_overloaded') === 0 && monitorAlert(lastSample) === 'none';
const hogCores = hogCpu.reduce((a, b) => a + b, 0) / hogS;
// The first time the monitor said it was calm after the hog ended, and whether it entered again later
// (a host still short of CPU): `cleared` above is the state at the end.
const leftAfter = overloads.find((o) => !o.overloaded && !o.hello && o.at >= phases.after.from);
const reentered = !!leftAfter && overloads.some((o) => o.overloaded && !o.hello && o.at > leftAfter.at);
const figures = {
  routers,
  hog_s: hogS,
  hog_cores: +hogCores.toFixed(2),
  excluded_dead: [...dead].join(','),
  false_down_devices_before: result.before.false_down_devices.length,
  false_down_devices: during.false_down_devices.length + after.false_down_devices.length,
  device_alerts_from_overload: during.device_alerts.length + after.device_alerts.length,
  new_device_alerts_before: result.before.device_alerts.length,
  polls_skipped_during: during.polls_skipped,
  polls_skipped_after: after.polls_skipped,
  timeout_extensions_during: during.timeout_extensions,
  slots_dropped_queued_before: result.before.overruns_queued,
  slots_dropped_running_before: result.before.overruns_running,
  slots_dropped_queued_during: during.overruns_queued,
  slots_dropped_running_during: during.overruns_running,
  slots_dropped_queued_after: after.overruns_queued,
  slots_dropped_running_after: after.overruns_running,
  overloaded_reasons_during: during.overloaded_reasons,
  lag_p99_ms_before: result.before.lag_p99_ms_max,
  lag_p99_ms_during: during.lag_p99_ms_max,
  lag_p99_ms_after: after.lag_p99_ms_max,
  probe_lag_ms_max_during: during.probe_lag_ms_max,
  demo_cores_before: result.before.demo_cores,
  demo_cores_during: during.demo_cores,
  main_thread_cores_before: result.before.main_thread_cores,
  main_thread_cores_after: after.main_thread_cores,
  main_thread_cpu_wait_share_before: result.before.main_thread_cpu_wait_share,
  main_thread_cpu_wait_share_during: during.main_thread_cpu_wait_share,
  main_thread_cpu_wait_share_after: after.main_thread_cpu_wait_share,
  machine_busy_cores_before: result.before.machine_busy_cores,
  longest_calm_s_before: result.before.longest_calm_s,
  longest_calm_s_after: after.longest_calm_s,
  cores,
  all_polled_before: settled.polled,
  calm_before: result.before.overloaded_gauge_max === 0,
  calm_at_hog_start: calmAtHogStart,
  overloaded_share_before: result.before.overloaded_share,
  overloaded_share_during: during.overloaded_share,
  monitor_overloaded_raised: raised,
  monitor_overloaded_cleared: cleared,
  first_calm_after_hog_s: leftAfter ? Math.round((leftAfter.at - phases.after.from) / 1000) : null,
  overloaded_again_after_calm: reentered,
  event_stream_reconnects: stream.reconnects(),
  stored_history_read: historyRead,
  load_before: result.before.load,
  load_during: during.load,
  load_after: after.load,
};

/** Why the lag was what it was in a phase: the host's CPU shortage, or the monitor's own work. */
function lagCause(r) {
  if (r.main_thread_cpu_wait_share === undefined) return 'no /proc here to tell the cause';
  const wait = Math.round(r.main_thread_cpu_wait_share * 100);
  const own = `the main thread ran ${r.main_thread_cores} cores of its own work`;
  const host = `waited for a CPU ${wait} % of the time (machine busy ${r.machine_busy_cores} of ${cores} cores, load ${r.load})`;
  return r.main_thread_cpu_wait_share >= 0.2
    ? `the host was short of CPU: the demo's main thread ${host}; ${own}`
    : `${own} and ${host}`;
}

/**
 * Why a goal about MonitorOverloaded was not met, in words the report can quote: raising needs a
 * real overload (the hog must take CPU the demo needs) lasting `ALERT_FOR_S`; clearing needs
 * `CLEAR_S` without a lag of half the threshold after the hog — impossible while the host stays
 * short of CPU without it, which `calm_before` and the CPU-wait share show.
 */
function whyNot() {
  const out = [];
  if (!raised) {
    if (!calmAtHogStart)
      out.push(
        `not raised by the hog: the monitor was overloaded (or MonitorOverloaded ${monitorAlert(atHogStart)}) when the hog began: ${lagCause(result.before)}`,
      );
    else if (during.overloaded_gauge_max !== 1)
      out.push(
        `not raised: the monitor never counted itself overloaded during the hog (probe lag max ${during.probe_lag_ms_max} ms, threshold ${LAG_MS} ms) — rightly so if it kept up (${during.overruns_queued} poll slots dropped behind a queued poll, ${during.overruns_running} behind a running one, ${during.polls_skipped} polls skipped): ${lagCause(during)}, hog ${hogCores.toFixed(2)} cores; to overload it, outnumber its threads on the cores (BENCH_OVERLOAD_HOGS=${cores * 2})`,
      );
    else
      out.push(
        `not raised: overloaded in ${Math.round(during.overloaded_share * 100)} % of the readings during the hog, but MonitorOverloaded never fired (it needs ${ALERT_FOR_S} s overloaded in a row; states seen: ${during.monitor_alert_states.join(', ')})`,
      );
  }
  if (!cleared && !raised) {
    out.push('not cleared: not raised by the hog, so nothing of it to clear');
  } else if (!cleared) {
    const lastOverload = overloads.filter((o) => o.overloaded).at(-1);
    const again = leftAfter
      ? `; it did say calm ${figures.first_calm_after_hog_s} s after the hog, then overloaded again`
      : '';
    const since = `${again}${lastOverload ? ` (last entered: ${lastOverload.reason})` : ''}`;
    if (!figures.calm_before)
      out.push(
        `not cleared: the monitor was overloaded before the hog already, in ${Math.round(result.before.overloaded_share * 100)} % of the readings (longest calm stretch ${result.before.longest_calm_s} s of the ${CLEAR_S} s clearing needs): ${lagCause(result.before)}${since}`,
      );
    else
      out.push(
        `not cleared within ${after.seconds} s after the hog: longest calm stretch ${after.longest_calm_s} s of the ${CLEAR_S} s clearing needs (lag below ${LAG_MS / 2} ms, nothing skipped); ${lagCause(after)}${since}`,
      );
  }
  return out;
}

const why = whyNot();
for (const line of why) log(line);
const goals = {
  false_down_devices: '== 0',
  device_alerts_from_overload: '== 0',
  monitor_overloaded_raised: raised,
  monitor_overloaded_cleared: cleared,
};
const reference = {
  what: 'goals from issue 19; a device reported down that answered, or a device alert, is a miss',
  false_down: [...during.false_down_devices, ...after.false_down_devices].join(',') || 'none',
  device_alerts: [...during.device_alerts, ...after.device_alerts].join(', ') || 'none',
  why_not: why.join(' | ') || 'every goal met',
};
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'overload', figures, reference, ratios: {}, goals })}`);
process.exit(0);
