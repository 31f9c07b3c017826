import type { Device } from '@ispmonitor/core';
import { driverPlugin } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createKey, type Harness, startHarness } from './support/harness.js';

/** A driver whose settings are credentials, like RouterOS or SNMPv3: it never answers. */
const vaultDriver = driverPlugin({
  kind: 'vault',
  settings: z.object({ username: z.string(), password: z.string() }).strict(),
  async poll(device: Device) {
    return { samples: [], error: { code: 'VAULT_DOWN', message: `${device.host} does not answer` } };
  },
});

const SECRET = { username: 'monitor', password: 'the-real-routeros-password' };
let h: Harness;
let operator: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ plugins: [vaultDriver] });
  operator = (await createKey(h, 'operator', 'noc')).headers;
});
afterAll(() => h.close());

beforeEach(async () => {
  await h.app.inject({ method: 'DELETE', url: '/api/v1/routers/bng-1', headers: h.admin });
  const created = await h.app.inject({
    method: 'POST',
    url: '/api/v1/routers',
    headers: h.admin,
    payload: { id: 'bng-1', host: '127.0.0.1', port: 8728, driver: 'vault', vault: SECRET },
  });
  expect(created.statusCode).toBe(201);
});

const patch = (headers: Record<string, string>, payload: object) =>
  h.app.inject({ method: 'PATCH', url: '/api/v1/routers/bng-1', headers, payload });
const stored = () => h.monitor.devices.get('bng-1')?.device;
const lastAudit = async () =>
  (await h.app.inject({ method: 'GET', url: '/api/v1/audit', headers: h.admin })).json().items[0];

describe('PATCH /api/v1/routers/:id keeps credentials from following a new address (issue 21)', () => {
  it('refuses an operator who moves the router without its credentials, and changes nothing', async () => {
    for (const move of [{ host: '127.0.0.66' }, { port: 18728 }, { host: '127.0.0.66', name: 'x' }]) {
      const res = await patch(operator, move);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('ISPM_CREDENTIALS_REQUIRED');
      expect(res.json().message).toContain('"vault"');
      expect(res.json().message).toContain('keepCredentials');
      expect(stored()).toMatchObject({ host: '127.0.0.1', port: 8728, vault: SECRET });
      expect(stored()?.name).toBeUndefined();
    }
  });

  it('lets the driver change when no stored settings would be used at the new address', async () => {
    // The router holds no `lab` settings: the lab driver polling it next reads nothing stored.
    const res = await patch(operator, { driver: 'lab' });
    expect(res.statusCode).toBe(200);
  });

  it('accepts the move with the credentials in the same request, and records it', async () => {
    const fresh = { username: 'monitor', password: 'a-new-password' };
    const res = await patch(operator, { host: '127.0.0.66', vault: fresh });
    expect(res.statusCode).toBe(200);
    expect(stored()).toMatchObject({ host: '127.0.0.66', vault: fresh });
    expect(await lastAudit()).toMatchObject({
      action: 'router.update',
      target: 'bng-1',
      details: { fields: ['host', 'vault'], moved: ['host'] },
    });
  });

  it('lets changes that do not move the router through without credentials', async () => {
    const res = await patch(operator, { name: 'BNG 1', host: '127.0.0.1', port: 8728 });
    expect(res.statusCode).toBe(200);
    expect(stored()).toMatchObject({ name: 'BNG 1', vault: SECRET });
  });

  it('lets an admin keep the stored credentials with keepCredentials: true, audited', async () => {
    const res = await patch(h.admin, { host: '127.0.0.66', keepCredentials: true });
    expect(res.statusCode).toBe(200);
    expect(stored()).toMatchObject({ host: '127.0.0.66', vault: SECRET });
    expect(stored()).not.toHaveProperty('keepCredentials');
    expect(await lastAudit()).toMatchObject({
      action: 'router.update',
      details: { fields: ['host'], moved: ['host'], keptCredentials: 'vault' },
    });
  });

  it('refuses keepCredentials from an operator with 403', async () => {
    const res = await patch(operator, { host: '127.0.0.66', keepCredentials: true });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('admin');
    expect(stored()?.host).toBe('127.0.0.1');
  });

  it('refuses keepCredentials of the wrong type and on create', async () => {
    expect((await patch(h.admin, { host: '127.0.0.66', keepCredentials: 'yes' })).statusCode).toBe(400);
    const create = await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: h.admin,
      payload: { id: 'bng-2', host: '127.0.0.2', driver: 'vault', vault: SECRET, keepCredentials: true },
    });
    expect(create.statusCode).toBe(400);
    expect(stored()?.host).toBe('127.0.0.1');
  });
});

describe('a RouterOS CA from the API is PEM text, never a file path (issue 21)', () => {
  it('refuses a path on create and on update, before the file system or the driver sees it', async () => {
    for (const ca of ['/dev/zero', '/etc/ssl/certs/ca-certificates.crt', 'x'.repeat(70_000)]) {
      const create = await h.app.inject({
        method: 'POST',
        url: '/api/v1/routers',
        headers: h.admin,
        payload: { id: 'bng-3', host: '127.0.0.3', driver: 'vault', vault: SECRET, mikrotik: { ca } },
      });
      expect(create.statusCode).toBe(400);
      expect(create.body).toContain('mikrotik');
      expect(h.monitor.devices.get('bng-3')).toBeUndefined();
      const res = await patch(h.admin, { mikrotik: { ca } });
      expect(res.statusCode).toBe(400);
    }
  });
});
