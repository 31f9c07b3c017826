import type { Device, Plugin } from '@ispmonitor/core';
import type { FileSettings } from '../../src/system/security-findings.js';
import { ADMIN_KEY, ADMIN_PASSWORD, type Harness, startHarness } from '../support/harness.js';

export { ADMIN_KEY, ADMIN_PASSWORD };

/** A server for the security suite: the shared harness, plus the config file's settings. */
export type SecurityServer = Harness;

/**
 * Starts a monitor (lab driver), its context and API app: the shared harness, with
 * `server.auth` merged over the admin credentials rather than replacing them.
 */
export function startServer(
  options: {
    devices?: Device[];
    server?: Record<string, unknown>;
    file?: FileSettings;
    plugins?: Plugin<unknown>[];
    secrets?: string[];
  } = {},
): Promise<SecurityServer> {
  const { auth, ...rest } = options.server ?? {};
  return startHarness({
    ...options,
    server: { auth: { adminPassword: ADMIN_PASSWORD, adminApiKey: ADMIN_KEY, ...(auth as object) }, ...rest },
  });
}
