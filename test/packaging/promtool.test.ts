import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingBinary, skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot, run, smallDemoArgs } from './support/workspace.js';

/**
 * The server's two Prometheus endpoints as Prometheus's own linter sees them (`promtool check
 * metrics`, from Debian's `prometheus` package: scripts/install-services.sh installs it), and the
 * metrics the operations guide names, present from the very first scrape (0 when nothing happened
 * yet), so a dashboard built from the guide shows 0 instead of "No data".
 */

const PROMTOOL = '/usr/bin/promtool';
/** Why the promtool checks cannot run here (a strict run fails instead of skipping). */
const noPromtool = missingBinary(PROMTOOL, 'prometheus');
const API_PORT = 19320;
const METRICS_PORT = 19321;
const GUIDE = join(repoRoot, '../shared/seed/operations-guide.md');

/**
 * The one complaint accepted, on purpose: the operations guide's alert rule reads
 * `ispmonitor_license_days_until_expiry < 30`, and Prometheus's convention wants seconds. The name
 * is kept so operators' rules keep working; nothing else may complain.
 */
const ACCEPTED = new Set(['ispmonitor_license_days_until_expiry use base unit "seconds" instead of "days"']);

let demo: ChildProcess | undefined;
let firstScrape = '';

/** Starts `ispmonitor demo` and resolves once it prints its address block (listening). */
function startDemo(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'node',
      [join(repoRoot, 'examples/server/dist/cli.js'), ...smallDemoArgs(API_PORT, METRICS_PORT)],
      { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(`127.0.0.1:${METRICS_PORT}/metrics`)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`demo exited ${code}:\n${out}`)));
  });
}

async function scrape(path: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${METRICS_PORT}${path}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** `promtool check metrics` on an exposition: its complaints, one per line (none when clean). */
async function promtool(text: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', () =>
      resolve([...new Set(out.split('\n').filter((l) => l.trim() !== '' && !ACCEPTED.has(l.trim())))]),
    );
    child.stdin.end(text);
  });
}

beforeAll(async () => {
  if (noPromtool) return;
  await ensureBuilt(['examples/server']);
  demo = await startDemo();
  firstScrape = await scrape('/metrics');
}, 300_000);

afterAll(() => {
  demo?.kill('SIGTERM');
});

describe.skipIf(noPromtool)(skipTitle('promtool check metrics', noPromtool), () => {
  it('finds nothing to complain about on /metrics', async () => {
    expect(await promtool(firstScrape)).toEqual([]);
    expect(await promtool(await scrape('/metrics'))).toEqual([]);
  });

  it('finds nothing to complain about on /metrics/devices once routers were polled', async () => {
    let text = '';
    // Polls come every 5 s in the demo: wait for interface series, as a scrape would.
    for (let i = 0; i < 60 && !/^interface_in_octets_total\{/m.test(text); i++) {
      text = await scrape('/metrics/devices');
      if (!/^interface_in_octets_total\{/m.test(text)) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(text).toMatch(/^interface_in_octets_total\{[^}]*if_name="/m);
    expect(await promtool(text)).toEqual([]);
  }, 90_000);

  it('shows every metric the operations guide names from the first scrape', async () => {
    const guide = existsSync(GUIDE) ? await readFile(GUIDE, 'utf8') : '';
    const named = new Set(
      [...guide.matchAll(/\b(ispmonitor_[a-z_]+?)(?:_bucket)?\b/g)].map((m) => m[1] as string),
    );
    // The guide's list, kept here too so the test means the same without the seed folder.
    for (const n of [
      'ispmonitor_http_requests_total',
      'ispmonitor_http_request_duration_seconds',
      'ispmonitor_routers_total',
      'ispmonitor_active_pollers',
      'ispmonitor_alerts_active',
      'ispmonitor_routers_polled_total',
      'ispmonitor_poll_duration_seconds',
      'ispmonitor_license_valid',
      'ispmonitor_license_days_until_expiry',
    ])
      named.add(n);
    const missing = [...named].filter(
      (n) => !new RegExp(`^${n}(_bucket|_sum|_count)?(\\{[^}]*\\})? `, 'm').test(firstScrape),
    );
    expect(missing).toEqual([]);
  });
});

describe('scripts/install-services.sh', () => {
  it('installs promtool (Debian ships it in the prometheus package)', async () => {
    const script = await readFile(join(repoRoot, 'scripts/install-services.sh'), 'utf8');
    expect(script).toMatch(/\bprometheus\b/);
    expect(script).toMatch(/promtool/);
    const res = await run('bash', ['-n', 'scripts/install-services.sh'], { cwd: repoRoot });
    expect(res.code, res.stderr).toBe(0);
  });
});
