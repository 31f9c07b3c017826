// The server side of the UI benchmark: build, start the demo as a child process, serve the UI,
// log in, add routers through the API, read the server's own event-loop figures, replay the API
// requests a page made. Used by bench/ui.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUiBundle } from '../../test/support/chromium.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'examples/server/ui/dist');
export const LOGIN = { username: 'admin', password: 'ispmonitor-demo' };

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
};
export const round = (x) => Math.round(x * 10) / 10;

/** Builds the UI (Vite) and the server (tsc -b); a workspace that does not type-check keeps the last build. */
export function build() {
  buildUiBundle('ignore');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'examples/server'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (err) {
    if (!existsSync(join(root, 'examples/server/dist/cli.js'))) throw err;
    console.log('  type errors in the workspace: using the existing examples/server/dist');
  }
}

/**
 * Starts `ispmonitor demo` with `args` on free ports. Resolves once it prints its URLs, with the
 * API and metrics URLs and the line saying how its history was built.
 */
export function startDemo(args) {
  const child = spawn(
    process.execPath,
    [join(root, 'examples/server/dist/cli.js'), 'demo', '--api-port', '0', '--metrics-port', '0', ...args],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not print its URLs:\n${out}`)), 900_000);
    child.stdout.on('data', (d) => {
      out += d;
      const api = out.match(/UI\/API\s+(http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      const metrics = out.match(/metrics\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/)?.[1];
      if (api && metrics) {
        clearTimeout(timer);
        const history = out.match(/^\s*history\s+(.*)$/m)?.[1] ?? 'no history';
        resolve({
          child,
          api,
          metrics,
          history,
          startS: (performance.now() - started) / 1000,
          log: () => out,
        });
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`the demo exited (${code}):\n${out}`)));
  });
}

/** The UI's files plus the API behind one origin, unless the server already serves the UI. */
export async function serveUi(apiUrl) {
  const page = await fetch(`${apiUrl}/`, { headers: { accept: 'text/html' } })
    .then((r) => r.text())
    .catch(() => '');
  if (page.includes('id="app"')) return { url: apiUrl, close: async () => {} };
  const api = new URL(apiUrl);
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.svg': 'image/svg+xml',
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (/^\/(api\/|health|ready|live)/.test(path)) {
      const up = request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.end());
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    const file = normalize(join(dist, path));
    const found = file.startsWith(dist) && existsSync(file) && statSync(file).isFile();
    const target = found ? file : join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(target)] ?? 'application/octet-stream' });
    res.end(readFileSync(target));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

export async function loginCookie(api) {
  const res = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOGIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return res.headers.get('set-cookie').split(';')[0];
}

export async function routerCount(api, cookie) {
  return (await (await fetch(`${api}/api/v1/routers?pageSize=1`, { headers: { cookie } })).json()).total;
}

/**
 * Adds routers through the API until there are `total`, 50 requests in flight: interval 1 h,
 * addresses on loopback where nothing answers, so they add rows (and, as their first polls fail,
 * down routers and alerts) without adding polling load.
 */
export async function seed(api, cookie, total) {
  const have = await routerCount(api, cookie);
  const sites = ['BEY', 'TRP', 'SDN', 'ZHL', 'TYR', 'BAA', 'JBL', 'NBT'];
  let next = 0;
  const count = total - have;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const id = `bench-${String(i).padStart(5, '0')}`;
      const res = await fetch(`${api}/api/v1/routers`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          name: id.toUpperCase(),
          host: `127.0.${1 + ((i >> 8) % 250)}.${1 + (i % 250)}`,
          port: 9,
          driver: 'snmp',
          interval: '1h',
          labels: { site: sites[i % sites.length], role: i % 20 === 0 ? 'distribution' : 'access' },
          snmp: { version: '2c', community: 'bench' },
        }),
      });
      if (res.status !== 201) throw new Error(`adding ${id}: ${res.status} ${await res.text()}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 50 }, worker));
  return { added: count, ms: performance.now() - t0 };
}

/** One value of a Prometheus text exposition (first series of that name), or undefined. */
function metricValue(text, name) {
  const m = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([-+\\d.eE]+|NaN)$`, 'm'));
  return m ? Number(m[1]) : undefined;
}

/**
 * The server's event-loop delay over a stretch of time: prom-client's `monitorEventLoopDelay`
 * histogram (10 ms resolution) is reset each time /metrics is read, so reading it at `start()` and
 * again at `stop()` (and not in between) gives the p99 and max of exactly that stretch. At `stop()`
 * the monitor's own `ispmonitor_event_loop_lag_seconds` (largest lag of the last 10 s) is read too.
 */
export function lagWatch(metricsUrl) {
  const read = () =>
    fetch(`${metricsUrl}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
  let t0 = 0;
  return {
    async start() {
      await read();
      t0 = performance.now();
    },
    async stop() {
      const text = await read();
      const ms = (name) => round((metricValue(text, name) ?? Number.NaN) * 1000);
      return {
        p99_ms: ms('ispmonitor_nodejs_eventloop_lag_p99_seconds'),
        max_ms: ms('ispmonitor_nodejs_eventloop_lag_max_seconds'),
        monitor_last10s_ms: ms('ispmonitor_event_loop_lag_seconds'),
        over_s: round((performance.now() - t0) / 1000),
      };
    },
  };
}

/** Milliseconds to fetch every one of `paths` at once (as a page does), bodies read; median of `runs`, 1.1 s apart. */
export async function replay(api, cookie, paths, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    // Past the server's one-second snapshots (the overview's): each run pays for a fresh one, as
    // a browser loading the page alone would.
    if (i > 0) await new Promise((r) => setTimeout(r, 1_100));
    const t0 = performance.now();
    const statuses = await Promise.all(
      paths.map(async (p) => {
        const res = await fetch(`${api}${p}`, { headers: { cookie } });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    times.push(performance.now() - t0);
    const bad = statuses.filter((s) => s >= 500);
    if (bad.length > 0) console.log(`  replay: ${bad.length} server errors in ${paths.join(', ')}`);
  }
  return median(times);
}
