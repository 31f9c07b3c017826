import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@ispmonitor/core';
import type { ServerConfig } from '../server-config.js';
import type { Accounts } from './accounts.js';
import type { AuditLog } from './audit.js';
import { newPassword } from './secrets.js';

/** What the bootstrap tells the operator, besides the log. */
export interface BootstrapOutput {
  /** One line for the terminal: where the generated password is (never the password itself). */
  print(line: string): void;
  logger: Logger;
}

/**
 * Makes sure an admin can log in on a first start (no user stored yet), and only then: the
 * `admin` user with `auth.adminPassword` (ISPM_ADMIN_PASSWORD) or a generated password written
 * to `auth.initialPasswordFile` (mode 0600), and the `auth.adminApiKey` key. Later starts change
 * nothing: a password changed through the UI, or a key an admin revoked, stays so whatever the
 * environment says (a lost password is reset with `ispmonitor user reset-password`).
 */
export async function bootstrapAdmin(
  accounts: Accounts,
  audit: AuditLog,
  auth: ServerConfig['auth'],
  out: BootstrapOutput,
): Promise<void> {
  if ((await accounts.listUsers()).length > 0) {
    const ignored = [
      auth.adminPassword ? 'ISPM_ADMIN_PASSWORD (auth.adminPassword)' : '',
      auth.adminApiKey ? 'ISPM_ADMIN_API_KEY (auth.adminApiKey)' : '',
    ].filter(Boolean);
    if (ignored.length > 0)
      out.logger.info(
        `${ignored.join(' and ')} ignored: users exist, bootstrap credentials apply on the first start only`,
      );
    return;
  }
  const password = auth.adminPassword ?? newPassword();
  await accounts.putUser('admin', password, 'admin');
  await audit.record('system', 'user.bootstrap', 'admin');
  if (!auth.adminPassword) {
    const file = auth.initialPasswordFile;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await chmod(file, 0o600); // an existing file keeps its mode on write: make sure
    out.print(
      `ispmonitor: created user "admin"; its password is in ${file} (readable by this user only): log in, change it, delete the file`,
    );
  }
  if (auth.adminApiKey) {
    await accounts.createKey('bootstrap', 'admin', 'system', auth.adminApiKey);
    await audit.record('system', 'apikey.bootstrap', 'bootstrap');
  }
}
