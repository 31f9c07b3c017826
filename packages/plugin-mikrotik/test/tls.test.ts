import { pollDriver, skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMikrotikDriver } from '../src/driver.js';
import { MikrotikErrorCodes as C } from '../src/errors.js';
import { settingsSchema } from '../src/settings.js';
import {
  makePki,
  opensslMissing,
  pollContext,
  type RouterOsEmulator,
  routerDevice,
  startRouterOsEmulator,
  type TestPki,
  watchCrashes,
} from './support/emulator.js';

const missing = opensslMissing();

describe.skipIf(missing)(
  skipTitle('API-SSL with certificate verification (openssl CLI makes a test CA)', missing),
  () => {
    let pki: TestPki;
    let router: RouterOsEmulator;
    // The test's devices count as config devices: they may name a CA file.
    const driver = createMikrotikDriver({ minBackoff: 1, isConfigDevice: () => true });
    const tlsDevice = (settings: Record<string, unknown>) =>
      routerDevice('ssl', router.port, { tls: true, ...settings });

    beforeAll(async () => {
      pki = makePki();
      router = await startRouterOsEmulator({
        profile: 'v7.16',
        tls: { key: pki.key, cert: pki.cert },
        password: 'pw',
      });
    });
    afterAll(async () => {
      await driver.close();
      await router?.close();
      pki?.cleanup();
    });

    it('connects when the certificate is signed by the configured CA (file or PEM text)', async () => {
      for (const ca of [pki.caFile, pki.caPem]) {
        driver.forget('ssl');
        const r = await pollDriver(driver, tlsDevice({ ca, password: 'pw' }), pollContext());
        expect(r.error).toBeUndefined();
        expect(r.facts?.system?.version).toBe('7.16 (stable)');
      }
    });

    it('connects when the pinned SHA-256 fingerprint matches (with or without colons)', async () => {
      for (const fingerprint of [pki.fingerprint, pki.fingerprint.replace(/:/g, '').toLowerCase()]) {
        driver.forget('ssl');
        const r = await pollDriver(driver, tlsDevice({ fingerprint, password: 'pw' }), pollContext());
        expect(r.error).toBeUndefined();
      }
    });

    it('refuses a certificate from another CA, an unknown self-signed chain, or a wrong pin — clearly', async () => {
      const watch = watchCrashes();
      const wrongPin = `${pki.fingerprint.slice(0, -2)}00`;
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ ca: pki.otherCaFile }, /not trusted by the configured CA/],
        [{}, /not trusted by the configured CA/],
        [{ fingerprint: wrongPin }, /does not match the pinned fingerprint/],
        [{ ca: pki.caFile, servername: 'other.test' }, /TLS with 127\.0\.0\.1:\d+ failed/],
      ];
      for (const [settings, message] of cases) {
        driver.forget('ssl');
        const r = await pollDriver(driver, tlsDevice({ ...settings, password: 'pw' }), pollContext());
        expect(r.error?.code, JSON.stringify(settings)).toBe(C.TLS);
        expect(r.error?.message).toMatch(message);
      }
      // The router saw no login: credentials never travel to an unverified peer.
      expect(router.requests.get('/login')).toBe(4);
      watch.stop();
      expect(watch.crashes).toEqual([]);
    });

    it('an unreadable CA file is a configuration error, not a crash, and the error names no path', async () => {
      driver.forget('ssl');
      const r = await pollDriver(
        driver,
        tlsDevice({ ca: '/nonexistent/ca.pem', password: 'pw' }),
        pollContext(),
      );
      expect(r.error?.code).toBe(C.CONFIG);
      expect(r.error?.message).toBe('the CA file cannot be opened (ENOENT)');
    });

    it('a device added through the API (not a config device) may not name a file: PEM text only', async () => {
      const api = createMikrotikDriver({ minBackoff: 1 });
      try {
        const messages = new Set<string | undefined>();
        // An existing CA, a missing file, /dev/zero: one answer, so it tells nothing about files.
        for (const ca of [pki.caFile, '/nonexistent/ca.pem', '/dev/zero']) {
          const r = await pollDriver(api, tlsDevice({ ca, password: 'pw' }), pollContext());
          expect(r.error?.code).toBe(C.CONFIG);
          messages.add(r.error?.message);
        }
        expect([...messages]).toEqual([
          'mikrotik.ca names a file, which only devices of the config file may: give the CA as PEM text',
        ]);
        const ok = await pollDriver(api, tlsDevice({ ca: pki.caPem, password: 'pw' }), pollContext());
        expect(ok.error).toBeUndefined();
      } finally {
        await api.close();
      }
    });
  },
);

describe('TLS settings', () => {
  it('defaults to API-SSL; the plain API only when tls: false is explicit', () => {
    expect(settingsSchema.parse({ username: 'mon' }).tls).toBe(true);
    expect(settingsSchema.parse({ username: 'mon', tls: false }).tls).toBe(false);
    expect(
      settingsSchema.safeParse({ username: 'mon', tls: false, fingerprint: 'ab'.repeat(32) }).success,
    ).toBe(false);
    expect(settingsSchema.safeParse({ username: 'mon', fingerprint: 'abc' }).success).toBe(false);
  });
});
