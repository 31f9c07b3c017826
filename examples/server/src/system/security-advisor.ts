import type { Device, Logger, Monitor } from '@ispmonitor/core';
import type { Accounts } from '../auth/accounts.js';
import type { ServerConfig } from '../server-config.js';
import {
  configFindings,
  deviceFindings,
  type FileSettings,
  SECURITY_CODES,
  type SecurityFinding,
  type SecuritySummary,
  summarise,
  WELL_KNOWN_PASSWORDS,
} from './security-findings.js';

/** Users whose password is checked against the well-known ones at start (argon2 is slow on purpose). */
const USERS_CHECKED = 20;

/**
 * Says what weakens security: once at start (one line per kind of finding, naming what it
 * applies to), again for a device added or changed with a weak setting, and on request for
 * `ispmonitor diagnostics`.
 */
export class SecurityAdvisor {
  #static: SecurityFinding[];
  #users: SecurityFinding[] = [];
  readonly #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly monitor: Monitor,
    server: ServerConfig,
    file: FileSettings | undefined,
    private readonly logger: Logger,
  ) {
    this.#static = configFindings(file, server);
  }

  /**
   * Logs the findings of the config and the devices there are now, then watches devices. With
   * `accounts`, users' passwords are then checked against the well-known ones in the background
   * (`usersChecked` settles when done): argon2 is slow on purpose and must not delay the start.
   */
  start(accounts?: Accounts): void {
    const devices = this.monitor.devices.list().flatMap((s) => deviceFindings(s.device));
    for (const s of summarise([...this.#static, ...devices])) this.#log(s);
    const onDevice = ({ device, previous }: { device: Device; previous?: Device }) => {
      const before = new Set(previous ? deviceFindings(previous).map((f) => f.code) : []);
      for (const f of deviceFindings(device)) {
        if (before.has(f.code)) continue;
        this.#log({ ...f, message: SECURITY_CODES[f.code].message, count: 1, subjects: [f.subject] });
      }
    };
    this.#unsubscribe.push(
      this.monitor.bus.on('device:added', onDevice),
      this.monitor.bus.on('device:changed', onDevice),
    );
    if (!accounts) return;
    this.usersChecked = usersWithKnownPasswords(accounts).then(
      (users) => {
        this.#users = users;
        for (const s of summarise(users)) this.#log(s);
      },
      (err: unknown) =>
        this.logger.warn('security: could not check users for well-known passwords', {
          error: (err as Error).message,
        }),
    );
  }

  /** Settles when the background password check of `start` is done. */
  usersChecked: Promise<void> = Promise.resolve();

  /** Every finding now, grouped by code (devices as they are now). */
  list(): SecuritySummary[] {
    const devices = this.monitor.devices.list().flatMap((s) => deviceFindings(s.device));
    return summarise([...this.#static, ...this.#users, ...devices]);
  }

  /** Stops watching devices. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #log(s: SecuritySummary): void {
    const fields = { code: s.code, count: s.count, subjects: s.subjects.slice(0, 20) };
    if (s.severity === 'warning') this.logger.warn(`security: ${s.message}`, fields);
    else this.logger.info(`security: ${s.message}`, fields);
  }
}

/** Users (the first few) who still log in with a password from the demo or an old example. */
async function usersWithKnownPasswords(accounts: Accounts): Promise<SecurityFinding[]> {
  const out: SecurityFinding[] = [];
  const users = (await accounts.listUsers()).slice(0, USERS_CHECKED);
  for (const u of users) {
    for (const password of WELL_KNOWN_PASSWORDS) {
      if (await accounts.checkPassword(u.username, password)) {
        out.push({ code: 'DEFAULT_CREDENTIALS', severity: 'warning', subject: `user ${u.username}` });
        break;
      }
    }
  }
  return out;
}
