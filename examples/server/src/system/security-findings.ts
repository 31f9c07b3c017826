/**
 * Settings that work but weaken security: each is allowed (an ISP's old CPE may speak only
 * SNMPv2c), and each is said out loud — in the log when it appears and in the `security`
 * section of `ispmonitor diagnostics`. Pure functions over config values; `advisor.ts` logs them.
 */
import type { Device } from '@ispmonitor/core';
import { isLoopback } from '../exporter/exposure.js';
import type { ServerConfig } from '../server-config.js';

/** `warning`: a credential or the data can be read or forged on the way; `notice`: worth knowing. */
export type SecuritySeverity = 'warning' | 'notice';

/** One weakening setting, and what it applies to (a device id, a notifier, a user name). */
export interface SecurityFinding {
  code: SecurityCode;
  severity: SecuritySeverity;
  subject: string;
}

/** What each code means and how to fix it: the text of the log line and of diagnostics. */
export const SECURITY_CODES = {
  SNMP_COMMUNITY: {
    severity: 'warning',
    message:
      'SNMPv1/v2c polling: the community crosses the network in clear text and answers are not authenticated; use SNMPv3 with authPriv',
  },
  SNMP_MD5: {
    severity: 'warning',
    message: 'SNMPv3 with MD5 authentication (a broken hash); use sha256 or stronger',
  },
  SNMP_AUTH_NO_PRIV: {
    severity: 'warning',
    message: 'SNMPv3 authNoPriv: authenticated but not encrypted; add privProtocol (aes) and privKey',
  },
  ROUTEROS_PLAIN_API: {
    severity: 'warning',
    message:
      'RouterOS plain API (tls: false, port 8728): the login and everything read cross the network in clear; use API-SSL (8729)',
  },
  SMTP_CLEARTEXT_LOGIN: {
    severity: 'warning',
    message:
      'email notifier logs in with requireTls: false: the SMTP password can cross the network in clear; set requireTls: true',
  },
  SMTP_TLS_UNVERIFIED: {
    severity: 'warning',
    message:
      'email notifier does not verify the SMTP server certificate (rejectUnauthorized: false); give its CA in `ca` instead',
  },
  TRAP_COMMUNITY: {
    severity: 'warning',
    message:
      'the trap receiver accepts SNMPv1/v2c traps: their community crosses the network in clear, and whoever sees it can send traps; prefer v3 users with authPriv',
  },
  TRAP_USERS_NO_AUTH: {
    severity: 'warning',
    message: 'traps.allowNoAuthUsers: v3 trap users without authentication accept traps from anyone',
  },
  TRAP_UNKNOWN_SOURCES: {
    severity: 'notice',
    message: 'traps.acceptUnknownSources: traps from addresses that are no device are published too',
  },
  DEFAULT_CREDENTIALS: {
    severity: 'warning',
    message: 'a user still has a well-known password (the demo or a deployment example default); change it',
  },
  METRICS_UNAUTHENTICATED: {
    severity: 'warning',
    message:
      'the metrics port answers without a token on a non-loopback address (server.metrics.anonymous): anyone who reaches it reads every router address',
  },
  METRICS_NO_TOKEN_LOCAL: {
    severity: 'notice',
    message: 'the metrics port has no token; it listens on loopback only, so only this machine reaches it',
  },
} as const satisfies Record<string, { severity: SecuritySeverity; message: string }>;

/** A finding's code. */
export type SecurityCode = keyof typeof SECURITY_CODES;

/** Passwords the demo and old deployment examples used: a server still accepting one is open. */
export const WELL_KNOWN_PASSWORDS = ['ispmonitor-demo', 'change-me', 'change-me-please'];

const finding = (code: SecurityCode, subject: string): SecurityFinding => ({
  code,
  severity: SECURITY_CODES[code].severity,
  subject,
});

type Settings = Record<string, unknown> | undefined;
const settings = (device: Device, kind: string): Settings => {
  const v = (device as unknown as Record<string, unknown>)[kind];
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
};

/** What weakens the polling of one device (its SNMP and RouterOS settings). */
export function deviceFindings(device: Device): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  const snmp = settings(device, 'snmp');
  if (snmp) {
    // The snmp schema's default version is 3: an absent version is not v2c.
    const version = String(snmp.version ?? '3');
    if (version === '1' || version === '2c') out.push(finding('SNMP_COMMUNITY', device.id));
    else {
      if (snmp.authProtocol === 'md5') out.push(finding('SNMP_MD5', device.id));
      if (snmp.authProtocol && !snmp.privProtocol) out.push(finding('SNMP_AUTH_NO_PRIV', device.id));
    }
  }
  const routeros = settings(device, 'mikrotik');
  if (routeros && routeros.tls === false) out.push(finding('ROUTEROS_PLAIN_API', device.id));
  return out;
}

/** The parts of the config file the config checks read. */
export interface FileSettings {
  metrics: { host: string };
  plugins: Record<string, unknown>;
}

/** What weakens the server itself: the trap receiver, email notifiers, the metrics port, bootstrap passwords. */
export function configFindings(file: FileSettings | undefined, server: ServerConfig): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  if (server.auth.adminPassword && WELL_KNOWN_PASSWORDS.includes(server.auth.adminPassword)) {
    out.push(finding('DEFAULT_CREDENTIALS', 'server.auth.adminPassword'));
  }
  if (!file) return out;
  if (!server.metrics.token) {
    out.push(
      finding(
        isLoopback(file.metrics.host) ? 'METRICS_NO_TOKEN_LOCAL' : 'METRICS_UNAUTHENTICATED',
        `metrics.host ${file.metrics.host}`,
      ),
    );
  }
  out.push(...trapFindings(file.plugins.snmp));
  const alerts = file.plugins.alerts as { receivers?: unknown } | undefined;
  const receivers = Array.isArray(alerts?.receivers) ? alerts.receivers : [];
  for (const r of receivers as Array<{ name?: unknown; email?: unknown }>) {
    const emails = Array.isArray(r?.email) ? r.email : [];
    for (const [i, e] of (emails as Array<Record<string, unknown>>).entries()) {
      const subject = `receiver ${String(r.name)} email[${i}]`;
      // requireTls defaults to true; port 465 would be implicit TLS, but the notifier always
      // starts in clear (secure: false) and upgrades only with STARTTLS.
      if (e?.auth && e.requireTls === false) out.push(finding('SMTP_CLEARTEXT_LOGIN', subject));
      if (e?.rejectUnauthorized === false) out.push(finding('SMTP_TLS_UNVERIFIED', subject));
    }
  }
  return out;
}

/** What weakens the SNMP trap receiver (`plugins.snmp.traps`). */
function trapFindings(snmp: unknown): SecurityFinding[] {
  const traps = (snmp as { traps?: Record<string, unknown> } | undefined)?.traps;
  if (!traps || typeof traps !== 'object') return [];
  const out: SecurityFinding[] = [];
  if (traps.community) out.push(finding('TRAP_COMMUNITY', 'plugins.snmp.traps.community'));
  if (traps.allowNoAuthUsers === true) out.push(finding('TRAP_USERS_NO_AUTH', 'plugins.snmp.traps'));
  if (traps.acceptUnknownSources === true) out.push(finding('TRAP_UNKNOWN_SOURCES', 'plugins.snmp.traps'));
  const users = Array.isArray(traps.users) ? (traps.users as Array<Record<string, unknown>>) : [];
  for (const u of users) {
    const subject = `trap user ${String(u?.username)}`;
    if (u?.authProtocol === 'md5') out.push(finding('SNMP_MD5', subject));
    if (u?.authProtocol && !u.privProtocol) out.push(finding('SNMP_AUTH_NO_PRIV', subject));
  }
  return out;
}

/** A finding code with everything it applies to, as diagnostics lists them. */
export interface SecuritySummary {
  code: SecurityCode;
  severity: SecuritySeverity;
  message: string;
  count: number;
  /** The first 50 subjects (device ids, notifiers, users). */
  subjects: string[];
}

/** Groups findings by code, warnings first. */
export function summarise(findings: readonly SecurityFinding[]): SecuritySummary[] {
  const byCode = new Map<SecurityCode, string[]>();
  for (const f of findings) {
    const list = byCode.get(f.code) ?? [];
    list.push(f.subject);
    byCode.set(f.code, list);
  }
  return [...byCode]
    .map(([code, subjects]) => ({
      code,
      severity: SECURITY_CODES[code].severity as SecuritySeverity,
      message: SECURITY_CODES[code].message,
      count: subjects.length,
      subjects: subjects.slice(0, 50),
    }))
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'warning' ? -1 : 1));
}
