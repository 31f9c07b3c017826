import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@ispmonitor/core';
import { missingBinary, skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSink } from './support/sink.js';

const OPENSSL = '/usr/bin/openssl';
const missing = missingBinary(OPENSSL, 'openssl');

describe.skipIf(missing)(skipTitle('remote write over TLS with a CA of its own', missing), () => {
  let dir = '';
  let cert = '';
  let server: Server;
  let url = '';
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ispm-rw-tls-'));
    // A self-signed certificate for 127.0.0.1: its own CA.
    execFileSync(
      OPENSSL,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      seen.push(req.headers['x-scope-orgid'] as string | undefined);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `https://127.0.0.1:${addr && typeof addr === 'object' ? addr.port : 0}/api/v1/push`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the receiver through the configured CA and sends the tenant header', async () => {
    const { sink } = makeSink(
      { targets: [{ url, ca: cert, headers: { 'X-Scope-OrgID': 'isp-b' } }] },
      systemClock,
    );
    await sink.write([{ name: 'm', labels: { device: 'r1' }, value: 1, ts: Date.now() }]);
    await sink.close();
    expect(seen).toEqual(['isp-b']);
  });

  it('refuses a receiver whose certificate no configured CA signs (retried, never sent)', async () => {
    const { sink } = makeSink({ targets: [{ url }], minBackoff: '10s', maxBackoff: '10s' }, systemClock);
    const done = sink.write([{ name: 'm', labels: { device: 'r1' }, value: 1, ts: Date.now() }]);
    for (let i = 0; i < 100 && sink.state.failures === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sink.state.lastError?.message).toMatch(/SELF_SIGNED|self.signed/i);
    await sink.close();
    await expect(done).rejects.toThrow(/unsent/);
    expect(seen).toEqual(['isp-b']);
  });
});
