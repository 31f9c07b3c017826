import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { GRACE_MS, generateLicenseKeys, LicenseManager, signLicense } from '../src/license/manager.js';
import { memoryStateStore } from '../src/state-store.js';
import { ADMIN_KEY, startHarness } from './support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-license-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = generateLicenseKeys();
const DAY = 86_400_000;

function licence(expiresAt: number, maxRouters = 3, privateKey = keys.privateKey): string {
  const path = join(dir, `l-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    signLicense(
      {
        id: 'L-1',
        licensee: 'Cedar ISP',
        issuedAt: new Date(0).toISOString(),
        expiresAt: new Date(expiresAt).toISOString(),
        maxRouters,
      },
      privateKey,
    ),
  );
  return path;
}

async function gauge(reg: Registry, name: string): Promise<number | undefined> {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values as Array<{ value: number }> | undefined)?.[0]?.value;
}

describe('licence', () => {
  it('is community mode without a licence: no limits, valid=1, expiry +Inf', async () => {
    const reg = new Registry();
    const lm = new LicenseManager({ store: memoryStateStore(), metrics: reg });
    expect((await lm.check()).state).toBe('community');
    expect(lm.allowsAnotherRouter(1e6)).toEqual({ ok: true });
    expect(await gauge(reg, 'ispmonitor_license_valid')).toBe(1);
    expect(await gauge(reg, 'ispmonitor_license_days_until_expiry')).toBe(Number.POSITIVE_INFINITY);
  });

  it('verifies offline, exposes days until expiry and enforces the router limit', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const reg = new Registry();
    const path = licence(now + 10 * DAY);
    const lm = new LicenseManager({
      path,
      publicKey: keys.publicKey,
      store: memoryStateStore(),
      metrics: reg,
      now: () => now,
    });
    expect(await lm.check()).toMatchObject({
      state: 'valid',
      licensee: 'Cedar ISP',
      maxRouters: 3,
      daysUntilExpiry: 10,
    });
    expect(await gauge(reg, 'ispmonitor_license_days_until_expiry')).toBe(10);
    expect(lm.allowsAnotherRouter(2).ok).toBe(true);
    expect(lm.allowsAnotherRouter(3)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/allows 3/),
    });
    now += 11 * DAY;
    expect((await lm.check()).state).toBe('grace');
    now += 3 * DAY;
    expect((await lm.check()).state).toBe('expired');
    expect(await gauge(reg, 'ispmonitor_license_valid')).toBe(0);
    expect(lm.allowsAnotherRouter(0).ok).toBe(false);
  });

  it('rejects a licence signed by another key or edited after signing', async () => {
    const other = generateLicenseKeys();
    const forged = licence(Date.now() + DAY, 3, other.privateKey);
    const lm = new LicenseManager({
      path: forged,
      publicKey: keys.publicKey,
      store: memoryStateStore(),
      metrics: new Registry(),
    });
    expect(await lm.check()).toMatchObject({ state: 'invalid', message: expect.stringMatching(/signature/) });
    const good = licence(Date.now() + DAY, 3);
    const file = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(good, 'utf8')));
    const payload = JSON.parse(Buffer.from(file.payload, 'base64url').toString());
    payload.maxRouters = 100000;
    file.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
    writeFileSync(good, JSON.stringify(file));
    const lm2 = new LicenseManager({
      path: good,
      publicKey: keys.publicKey,
      store: memoryStateStore(),
      metrics: new Registry(),
    });
    expect((await lm2.check()).state).toBe('invalid');
  });

  it('keeps a cached good status for 72 hours when the file becomes unreadable', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const path = licence(now + 30 * DAY);
    const store = memoryStateStore();
    const lm = new LicenseManager({
      path,
      publicKey: keys.publicKey,
      store,
      metrics: new Registry(),
      now: () => now,
    });
    expect((await lm.check()).state).toBe('valid');
    rmSync(path);
    now += GRACE_MS - 60_000;
    expect(await lm.check()).toMatchObject({ state: 'grace', message: expect.stringMatching(/not found/) });
    now += 120_000;
    expect((await lm.check()).state).toBe('invalid');
  });

  it('serves /api/v1/license/status and refuses routers beyond the limit with 403', async () => {
    const path = licence(Date.now() + 5 * DAY, 1);
    const h = await startHarness({ server: { license: { path, publicKey: keys.publicKey } } });
    try {
      const headers = { authorization: `Bearer ${ADMIN_KEY}` };
      const status = (await h.app.inject({ url: '/api/v1/license/status', headers })).json();
      expect(status).toMatchObject({ state: 'valid', maxRouters: 1 });
      const add = (id: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/routers',
          headers,
          payload: { id, host: '127.0.0.1', driver: 'lab' },
        });
      expect((await add('r1')).statusCode).toBe(201);
      const second = await add('r2');
      expect(second.statusCode).toBe(403);
      expect(second.json().message).toMatch(/licence allows 1/);
    } finally {
      await h.close();
    }
  });
});
