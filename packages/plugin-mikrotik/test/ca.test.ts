/**
 * CA files and CA text (issue 21): a file is opened without blocking, must be a regular file of
 * at most 64 KiB holding PEM certificates; PEM text is checked the same way; the settings schema
 * takes PEM text or an absolute path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, type Device, tokens } from '@ispmonitor/core';
import { createFakeLogger, missingPeer, pollDriver, skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaFiles, caSettingProblem, MAX_CA_BYTES, pemProblem, readCaFile } from '../src/api/ca.js';
import { MikrotikErrorCodes as C } from '../src/errors.js';
import { mikrotik } from '../src/plugin.js';
import { settingsSchema } from '../src/settings.js';
import { makePki, opensslMissing, pollContext, routerDevice, type TestPki } from './support/emulator.js';

const missing = opensslMissing();
const noMkfifo = missingPeer(
  (() => {
    try {
      execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'mkfifo not found (Debian package coreutils)';
    }
  })(),
);

describe.skipIf(missing)(skipTitle('CA files and text', missing), () => {
  let pki: TestPki;
  let dir: string;
  beforeAll(() => {
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), 'ispm-ca-'));
  });
  afterAll(() => {
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a PEM CA file', async () => {
    expect(await readCaFile(pki.caFile)).toBe(pki.caPem);
  });

  it('refuses /dev/zero, a directory, a 10 MB file and a missing file, quickly and without a path in the error', async () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024, 0x41));
    const sub = join(dir, 'folder');
    mkdirSync(sub);
    const cases: Array<[string, RegExp]> = [
      ['/dev/zero', /^the CA file is not a regular file$/],
      [sub, /^the CA file is not a regular file$/],
      [big, /^the CA file is larger than 64 KiB$/],
      [join(dir, 'missing.pem'), /^the CA file cannot be opened \(ENOENT\)$/],
    ];
    // Refused before reading (a stat, then a bounded read): a read of /dev/zero would never end,
    // and the test's timeout catches that; no elapsed-time bound.
    for (const [path, message] of cases) {
      const err = await readCaFile(path).catch((e: Error & { code?: string }) => e);
      expect(err, path).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toBe(C.CONFIG);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain(dir);
    }
  });

  it.skipIf(noMkfifo)(skipTitle('refuses a FIFO without blocking on it', noMkfifo), async () => {
    const fifo = join(dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    // Nobody ever writes to it: a blocking open or read would hang here until the test times out.
    await expect(readCaFile(fifo)).rejects.toThrow(/^the CA file is not a regular file$/);
  });

  it('refuses files that are not PEM certificates: junk, a private key, a broken certificate', async () => {
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    await expect(readCaFile(write('junk.pem', 'hello'))).rejects.toThrow(/holds no PEM certificate/);
    await expect(readCaFile(write('key.pem', pki.key))).rejects.toThrow(/not a certificate/);
    const broken = pki.caPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!');
    await expect(readCaFile(write('broken.pem', broken))).rejects.toThrow(/not a valid X\.509 certificate/);
  });

  it('PEM text: certificates only, at most 64 KiB', () => {
    expect(pemProblem(pki.caPem)).toBeUndefined();
    expect(pemProblem(`${pki.caPem}\n${pki.cert}`)).toBeUndefined();
    expect(pemProblem(`${pki.caPem}${pki.key}`)).toMatch(/not a certificate/);
    expect(pemProblem(pki.caPem + 'x'.repeat(MAX_CA_BYTES))).toMatch(/larger than 64 KiB/);
  });

  it('the settings take PEM text or an absolute path; nothing else', () => {
    const ok = (ca: string) => settingsSchema.safeParse({ username: 'mon', ca }).success;
    expect(ok(pki.caPem)).toBe(true);
    expect(ok('/etc/ispmonitor/routers-ca.pem')).toBe(true);
    expect(ok('relative/ca.pem')).toBe(false);
    expect(ok('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----')).toBe(false);
    expect(ok(pki.key)).toBe(false);
    expect(ok(`/etc/${'x'.repeat(70_000)}`)).toBe(false);
    expect(caSettingProblem('/a\u0000b')).toMatch(/expected PEM text/);
  });

  it('the cache is bounded, and a failed read is tried again', async () => {
    const files = new CaFiles();
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) reads.push(files.get(join(dir, `none-${i}.pem`)).catch(() => {}));
    expect(files.size).toBeLessThanOrEqual(256);
    await Promise.all(reads);
    // Every read failed: none is kept.
    expect(files.size).toBe(0);
    expect(await files.get(pki.caFile)).toBe(pki.caPem);
    expect(files.size).toBe(1);
  });

  it('in a monitor: a config device may name a file (read at start; a bad one is logged, never hangs), an API device may not', async () => {
    const fifo = join(dir, 'start.fifo');
    if (!noMkfifo) execFileSync('mkfifo', [fifo]);
    const logger = createFakeLogger();
    const monitor = await createMonitor({
      plugins: [mikrotik({ minBackoff: '1h' })],
      devices: [
        {
          ...routerDevice('cfg-fifo', 1, { tls: true, ca: noMkfifo ? '/dev/zero' : fifo }),
          enabled: false,
        },
      ],
      logger,
    });
    await monitor.start();
    try {
      const warned = logger.records.filter((r) => r.msg === 'mikrotik CA file unusable');
      expect(warned).toHaveLength(1);
      expect(warned[0]?.fields).toMatchObject({
        device: 'cfg-fifo',
        error: 'the CA file is not a regular file',
      });
      await monitor.devices.add({
        ...routerDevice('api-1', 1, { tls: true, ca: '/dev/zero' }),
        enabled: false,
      });
      expect(monitor.devices.get('api-1')?.origin).toBe('store');
      const driver = monitor.resolveAll(tokens.Driver).find((d) => d.kind === 'mikrotik');
      const r = await pollDriver(
        driver as NonNullable<typeof driver>,
        monitor.devices.get('api-1')?.device as Device,
        pollContext(),
      );
      expect(r?.error?.code).toBe(C.CONFIG);
      expect(r?.error?.message).toMatch(/only devices of the config file/);
    } finally {
      await monitor.stop();
    }
  });
});
