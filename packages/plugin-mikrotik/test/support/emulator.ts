/**
 * Test access to the RouterOS emulator of `packages/simulator` (imported from its sources: the
 * simulator's public index re-exports it once its owner wires `./routeros/index.js` in).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device, PollResult } from '@ispmonitor/core';
import { createFakeLogger, type FakeLogger, missingPeer } from '@ispmonitor/core/testing';

export * from '../../../simulator/src/routeros/index.js';

/** A poll context with a fresh signal and a fake logger. */
export function pollContext(timeoutMs = 10_000): { signal: AbortSignal; logger: FakeLogger } {
  return { signal: AbortSignal.timeout(timeoutMs), logger: createFakeLogger() };
}

/** A mikrotik device on loopback. */
export function routerDevice(id: string, port: number, settings: Record<string, unknown> = {}): Device {
  return {
    id,
    host: '127.0.0.1',
    port,
    driver: 'mikrotik',
    mikrotik: { username: 'admin', password: '', tls: false, timeout: '3s', ...settings },
  };
}

/** Samples of one name as `labels → value` for assertions. */
export function series(result: PollResult, name: string): Map<string, number | bigint> {
  const out = new Map<string, number | bigint>();
  for (const s of result.samples) {
    if (s.name !== name) continue;
    const { device: _d, ...rest } = s.labels;
    out.set(JSON.stringify(rest), s.value);
  }
  return out;
}

/** Collects uncaught exceptions and unhandled rejections while a test runs. */
export function watchCrashes(): { crashes: unknown[]; stop: () => void } {
  const crashes: unknown[] = [];
  const on = (err: unknown) => void crashes.push(err);
  process.on('uncaughtException', on);
  process.on('unhandledRejection', on);
  return {
    crashes,
    stop: () => {
      process.off('uncaughtException', on);
      process.off('unhandledRejection', on);
    },
  };
}

/** A CA and a server certificate for 127.0.0.1, made with the openssl CLI in a temp folder. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  key: string;
  cert: string;
  /** SHA-256 fingerprint of `cert`. */
  fingerprint: string;
  /** A second, unrelated CA (to prove a wrong CA is refused). */
  otherCaFile: string;
  cleanup(): void;
}

/** Whether the openssl CLI is present. */
export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the TLS tests cannot make their CA here (no openssl CLI), or undefined when they can; in
 * strict mode (scripts/test.sh, CI) the missing tool fails the run (core/testing `missingPeer`).
 */
export function opensslMissing(): string | undefined {
  return missingPeer(haveOpenssl() ? undefined : 'the openssl CLI is not installed (Debian package openssl)');
}

/** Generates the test PKI. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-mikrotik-pki-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other']) {
    run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=test ${ca} CA`,
    ]);
  }
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'router.key',
    '-out',
    'router.csr',
    '-subj',
    '/CN=router',
  ]);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:router.test\n');
  run([
    'x509',
    '-req',
    '-in',
    'router.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'router.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  const fp = run(['x509', '-in', 'router.pem', '-noout', '-fingerprint', '-sha256']).toString();
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    key: readFileSync(join(dir, 'router.key'), 'utf8'),
    cert: readFileSync(join(dir, 'router.pem'), 'utf8'),
    fingerprint: fp.slice(fp.indexOf('=') + 1).trim(),
    otherCaFile: join(dir, 'other.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
