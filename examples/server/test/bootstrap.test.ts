import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Accounts } from '../src/auth/accounts.js';
import { AuditLog } from '../src/auth/audit.js';
import { bootstrapAdmin } from '../src/auth/bootstrap.js';
import { parseServerConfig } from '../src/server-config.js';
import { memoryStateStore } from '../src/state-store.js';

const dir = mkdtempSync(join(tmpdir(), 'ispm-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'ispm_bootstrap_test_key_0123456789abcdefghijkl';
const auth = (env: Record<string, string>) =>
  parseServerConfig({ auth: { initialPasswordFile: join(dir, 'pw') } }, env).auth;

describe('admin bootstrap (first start only)', () => {
  it('applies the environment on the first start, and never again: a changed password and a revoked key stay so', async () => {
    const store = memoryStateStore();
    const accounts = new Accounts(store);
    const audit = new AuditLog(store);
    const printed: string[] = [];
    const logger = createFakeLogger();
    const out = { print: (l: string) => printed.push(l), logger };
    const first = { ISPM_ADMIN_PASSWORD: 'first-password', ISPM_ADMIN_API_KEY: KEY };

    await bootstrapAdmin(accounts, audit, auth(first), out);
    expect(await accounts.checkPassword('admin', 'first-password')).toBeTruthy();
    const key = await accounts.principalForKey(KEY);
    expect(key?.role).toBe('admin');
    expect(printed).toEqual([]); // nothing generated, nothing to say

    // The admin changes the password in the UI and revokes the bootstrap key.
    await accounts.putUser('admin', 'changed-in-the-ui', 'admin');
    const stored = (await accounts.listKeys()).find((k) => k.name === 'bootstrap');
    expect(await accounts.revokeKey(stored!.id)).toBe(true);

    // Restart with the same (or another) environment: nothing comes back.
    await bootstrapAdmin(accounts, audit, auth({ ...first, ISPM_ADMIN_PASSWORD: 'attacker-reset' }), out);
    expect(await accounts.checkPassword('admin', 'changed-in-the-ui')).toBeTruthy();
    expect(await accounts.checkPassword('admin', 'attacker-reset')).toBeUndefined();
    expect(await accounts.principalForKey(KEY)).toBeUndefined();
    expect(logger.text()).toMatch(/ignored: users exist/);
    expect(logger.text()).not.toContain('attacker-reset');
  });

  it('writes a generated password to a 0600 file and prints only where it is', async () => {
    const store = memoryStateStore();
    const accounts = new Accounts(store);
    const printed: string[] = [];
    const logger = createFakeLogger();
    await bootstrapAdmin(accounts, new AuditLog(store), auth({}), { print: (l) => printed.push(l), logger });
    const file = join(dir, 'pw');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(await accounts.checkPassword('admin', password)).toBeTruthy();
    expect(printed.join('\n')).toContain(file);
    expect(printed.join('\n') + logger.text()).not.toContain(password);
  });
});
