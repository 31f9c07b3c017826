import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLicenseKeys, LicenseManager, signLicense } from '../../src/license/manager.js';
import { memoryStateStore, NS } from '../../src/state-store.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-sec-license-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const vendor = generateLicenseKeys();
const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');

const payload = (maxRouters: number) => ({
  id: 'L-9',
  licensee: 'Cedar ISP',
  issuedAt: new Date(T0).toISOString(),
  expiresAt: new Date(T0 + 100 * DAY).toISOString(),
  maxRouters,
});

function manager(path: string, store = memoryStateStore(), count?: () => number, now = () => T0) {
  return new LicenseManager({
    path,
    publicKey: vendor.publicKey,
    store,
    metrics: new Registry(),
    now,
    ...(count ? { countRouters: count } : {}),
  });
}

describe('licence cache and limit (issue 21, finding 11)', () => {
  it('trusts no hand-written cache row: only a licence file signed by the vendor key grants grace', async () => {
    const missing = join(dir, 'gone.json');
    const store = memoryStateStore();
    // The old unsigned form: a verdict anyone with database access could write.
    await store.set(NS.license, 'last-good', { payload: payload(1_000_000), verifiedAt: T0 });
    expect((await manager(missing, store).check()).state).toBe('invalid');
    // A file signed by another key.
    const forger = generateLicenseKeys();
    await store.set(NS.license, 'last-good', {
      text: signLicense(payload(1_000_000), forger.privateKey),
      verifiedAt: T0,
    });
    expect((await manager(missing, store).check()).state).toBe('invalid');
    // A genuine file, with a verification time in the future to stretch the grace period.
    await store.set(NS.license, 'last-good', {
      text: signLicense(payload(5), vendor.privateKey),
      verifiedAt: T0 + 50 * DAY,
    });
    const status = await manager(missing, store).check();
    expect(status).toMatchObject({
      state: 'grace',
      maxRouters: 5,
      graceUntil: new Date(T0 + 3 * DAY).toISOString(),
    });
  });

  it('caches the signed file on a good check, and uses it once the file is gone', async () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, signLicense(payload(5), vendor.privateKey));
    const store = memoryStateStore();
    expect((await manager(path, store).check()).state).toBe('valid');
    const row = await store.get<{ text: string }>(NS.license, 'last-good');
    expect(row?.text).toContain('ispmonitor-license/1');
    rmSync(path);
    expect((await manager(path, store, undefined, () => T0 + DAY).check()).state).toBe('grace');
    expect((await manager(path, store, undefined, () => T0 + 4 * DAY).check()).state).toBe('invalid');
  });

  it('counts config and API routers alike against the limit, and says when there are more', async () => {
    const path = join(dir, 'small.json');
    writeFileSync(path, signLicense(payload(3), vendor.privateKey));
    let routers = 2;
    const lm = manager(path, memoryStateStore(), () => routers);
    expect((await lm.check()).message).toBe('licence valid');
    expect(lm.allowsAnotherRouter(routers).ok).toBe(true);
    routers = 5; // e.g. five devices in the config file
    expect((await lm.check()).message).toMatch(/5 routers exist, over the licence's 3/);
    expect(lm.allowsAnotherRouter(routers)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/allows 3/),
    });
  });
});
