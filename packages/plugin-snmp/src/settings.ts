/**
 * Schemas of a device's `snmp` settings and of the plugin's options. Types are inferred from
 * the schemas; every field says its default.
 */
import { durationMsOr, secret } from '@ispmonitor/core';
import { z } from 'zod';

/** A Prometheus metric name (what custom OIDs are emitted as). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A Prometheus label name. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const duration = durationMsOr;

const oid = z
  .string()
  .regex(/^\.?\d+(\.\d+)+$/, 'expected a numeric OID such as 1.3.6.1.2.1.1.3.0')
  .transform((s) => s.replace(/^\./, ''));
const metricName = z
  .string()
  .regex(METRIC_NAME, 'expected a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');

/** One extra scalar to read on each poll. */
export const customOidSchema = z.object({
  /** Sample name it is emitted as. */
  name: metricName,
  /** The instance OID (usually ends in `.0`). */
  oid,
  /** `gauge` (default) or `counter`; counters keep 64-bit precision. */
  type: z.enum(['gauge', 'counter']).default('gauge'),
  /** Multiplier applied to gauges (e.g. 0.1 for tenths). Default 1. */
  scale: z.number().default(1),
  /** Extra fixed labels. */
  labels: z.record(z.string().regex(LABEL_NAME), z.string()).default({}),
});

/** One extra table column to walk on each poll: one sample per row. */
export const customTableSchema = z.object({
  name: metricName,
  /** The column OID; each row's index becomes the `indexLabel` label. */
  column: oid,
  type: z.enum(['gauge', 'counter']).default('gauge'),
  scale: z.number().default(1),
  /** Label that carries the row index. Default `index`. */
  indexLabel: z.string().regex(LABEL_NAME).default('index'),
  /** Optional column (same index) whose text becomes label `label`, e.g. a name column. */
  labelColumn: oid.optional(),
  /** Name of the label taken from `labelColumn`. Default `name`. */
  label: z.string().regex(LABEL_NAME).default('name'),
  labels: z.record(z.string().regex(LABEL_NAME), z.string()).default({}),
});

const authProtocols = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
const privProtocols = ['aes', 'aes256b', 'aes256r', 'des'] as const;

/** `device.snmp`: how to reach one device. Credentials are marked `secret()`: logs never show them. */
export const settingsSchema = z
  .object({
    /** `1`, `2c` or `3`. No insecure default: when absent, `3` is assumed, which needs credentials. */
    version: z.enum(['1', '2c', '3']).default('3'),
    /** v1/v2c community. Required for those versions; there is no `public` default. */
    community: secret(z.string().min(1)).optional(),
    /** v3 user name. */
    username: z.string().min(1).optional(),
    /** v3 authentication: sha (SHA-1) or SHA-2 (sha224…sha512). md5 works but is discouraged. */
    authProtocol: z.enum(authProtocols).optional(),
    authKey: secret(z.string().min(8, 'SNMPv3 keys are at least 8 characters')).optional(),
    /** v3 privacy: aes (AES-128), aes256b (Blumenthal), aes256r (Reeder). des is refused (OpenSSL 3). */
    privProtocol: z.enum(privProtocols).optional(),
    privKey: secret(z.string().min(8, 'SNMPv3 keys are at least 8 characters')).optional(),
    /** v3 context name. Default empty. */
    context: z.string().optional(),
    /** UDP port. Default `device.port`, else 161. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Per-request timeout. Default `2s`. */
    timeout: duration('2s'),
    /** Retries of a request that timed out. Default 1. */
    retries: z.number().int().min(0).max(10).default(1),
    /** Starting max-repetitions of bulk walks; lowered per device on tooBig or timeouts. Default 25. */
    maxRepetitions: z.number().int().min(1).max(200).default(25),
    /** Rows kept per table before the walk is cut off (loop protection). Default 10,000. */
    maxRows: z.number().int().min(1).default(10_000),
    /** How long names, aliases, speeds and types are cached before they are walked again. Default `15m`. */
    slowCacheTtl: duration('15m'),
    /**
     * Walk the ARP / neighbour tables (IP-MIB ipNetToPhysicalTable, else ipNetToMediaTable) for
     * `facts.arp` (IP ↔ MAC history). Default true.
     */
    arp: z.boolean().default(true),
    /** Force a profile instead of choosing one from sysObjectID. */
    profile: z.enum(['generic', 'mikrotik', 'cisco', 'juniper', 'ubiquiti', 'netsnmp']).optional(),
    /** Extra scalars. */
    oids: z.array(customOidSchema).default([]),
    /** Extra table columns. */
    tables: z.array(customTableSchema).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.version !== '3') {
      if (!s.community) {
        ctx.addIssue({
          code: 'custom',
          path: ['community'],
          message: `SNMPv${s.version} needs a community (there is no "public" default)`,
        });
      }
      return;
    }
    if (!s.username) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'SNMPv3 needs a username (set version: "2c" and a community to use v2c)',
      });
    }
    if (!s.authKey || !s.authProtocol) {
      ctx.addIssue({
        code: 'custom',
        path: ['authKey'],
        message: 'SNMPv3 needs authProtocol and authKey (noAuthNoPriv is not accepted)',
      });
    }
    if (s.privProtocol === 'des') {
      ctx.addIssue({
        code: 'custom',
        path: ['privProtocol'],
        message:
          'DES privacy is refused by OpenSSL 3 (Node 18+): configure AES (aes, aes256b, aes256r) on the device, ' +
          'or run node with --openssl-legacy-provider and accept the risk',
      });
    }
    if (s.privProtocol && !s.privKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['privKey'],
        message: 'privProtocol is set but privKey is missing',
      });
    }
    if (s.privKey && !s.privProtocol) {
      ctx.addIssue({
        code: 'custom',
        path: ['privProtocol'],
        message: 'privKey is set but privProtocol is missing',
      });
    }
  });

/** Parsed `device.snmp`. */
export type SnmpSettings = z.output<typeof settingsSchema>;
/** `device.snmp` as written in config. */
export type SnmpSettingsInput = z.input<typeof settingsSchema>;

/**
 * A v3 user the trap receiver accepts. Authentication (`authProtocol` + `authKey`) is required:
 * an unauthenticated user lets anyone who can reach the port inject traps (see
 * `traps.allowNoAuthUsers` to accept such users anyway).
 */
export const trapUserSchema = z
  .object({
    username: z.string().min(1),
    authProtocol: z.enum(authProtocols).optional(),
    authKey: secret(z.string().min(8)).optional(),
    privProtocol: z.enum(['aes', 'aes256b', 'aes256r']).optional(),
    privKey: secret(z.string().min(8)).optional(),
  })
  .refine((u) => !u.privProtocol || (u.authProtocol && u.authKey), {
    message: 'privProtocol needs authProtocol and authKey (SNMPv3 has no privacy without authentication)',
  })
  .refine((u) => Boolean(u.authProtocol) === Boolean(u.authKey), {
    message: 'authProtocol and authKey go together',
    path: ['authKey'],
  });

/** The plugin's options: `snmp({ traps, ... })`. */
export const optionsSchema = z
  .object({
    /** Trap receiver. Disabled unless given. */
    traps: z
      .object({
        /** UDP port. Default 162 (needs privileges; use e.g. 1162 otherwise). */
        port: z.number().int().min(1).max(65535).default(162),
        /** Address to listen on. Default `0.0.0.0`. */
        address: z.string().default('0.0.0.0'),
        /** v1/v2c communities accepted. Default none (v2c traps are then dropped). */
        community: secret(z.union([z.string().min(1), z.array(z.string().min(1))])).optional(),
        /** v3 users accepted. */
        users: z.array(trapUserSchema).default([]),
        /** Accept v3 users without authentication (noAuthNoPriv). Default false: they are refused at load. */
        allowNoAuthUsers: z.boolean().default(false),
        /**
         * Publish traps whose source address is no device's `host` (without a `device`). Default
         * false: they are dropped and counted (`ispmonitor_snmp_traps_dropped_total{reason="unknown-source"}`).
         */
        acceptUnknownSources: z.boolean().default(false),
        /** Least time between two polls a device's linkDown/linkUp/coldStart/warmStart traps force, ms. */
        pollDebounceMs: z.number().int().min(0).max(3_600_000).default(10_000),
      })
      .refine((t) => t.allowNoAuthUsers || t.users.every((u) => u.authProtocol), {
        message:
          'a v3 trap user without authProtocol/authKey accepts traps from anyone: add them, or set traps.allowNoAuthUsers: true',
        path: ['users'],
      })
      .optional(),
  })
  .default({});

/** Parsed plugin options. */
export type SnmpOptions = z.output<typeof optionsSchema>;
