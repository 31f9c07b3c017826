import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-ui-'));
let h: Harness;
beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ISP Monitor</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dirname(dir), 'outside-secret.txt'), 'secret');
  h = await startHarness({ server: { ui: { dir } } });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(dirname(dir), 'outside-secret.txt'), { force: true });
});

function dirname(p: string) {
  return p.slice(0, p.lastIndexOf('/'));
}

describe('web UI', () => {
  it('serves index.html without credentials, with a CSP, for / and for app routes', async () => {
    for (const url of ['/', '/routers', '/routers/bey-core-1', '/topology?x=1']) {
      const r = await h.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<title>ISP Monitor</title>');
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(r.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and 404s missing ones', async () => {
    const js = await h.app.inject({ url: '/assets/app-1234.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await h.app.inject({ url: '/assets/gone.js' })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/favicon.svg' })).headers['content-type']).toMatch(/svg/);
  });

  it('never leaves its folder, and keeps unknown API paths behind authentication', async () => {
    for (const url of [
      '/../outside-secret.txt',
      '/%2e%2e/outside-secret.txt',
      '/assets/..%2f..%2foutside-secret.txt',
      '/..%5coutside-secret.txt',
    ]) {
      const r = await h.app.inject({ url });
      expect(r.body, url).not.toContain('secret');
    }
    expect((await h.app.inject({ url: '/%E0%A4%A' })).statusCode).toBe(400);
    expect((await h.app.inject({ url: '/api/v1/nope' })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/v1/nope', headers: h.admin })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/v1/routers' })).statusCode).toBe(401);
  });
});
