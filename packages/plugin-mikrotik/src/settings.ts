/**
 * Schemas of a device's `mikrotik` settings and of the plugin's options. Types are inferred from
 * the schemas; every field says its default.
 */
import { durationMsOr, secret } from '@ispmonitor/core';
import { z } from 'zod';
import { caSettingProblem, MAX_CA_BYTES } from './api/ca.js';

const duration = durationMsOr;

/** What a poll can collect; each is one or more RouterOS menus. */
export const COLLECTIONS = [
  'system',
  'health',
  'interfaces',
  'ppp',
  'dhcp',
  'wireless',
  'queues',
  'bgp',
  'neighbours',
  'arp',
] as const;

/** One collection name. */
export type Collection = (typeof COLLECTIONS)[number];

/** `device.mikrotik`: how to reach and read one router. */
export const settingsSchema = z
  .object({
    /** API user (give it a group with only the `api` and `read` policies). Required. */
    username: z.string().min(1),
    /** Its password. Default empty. Marked `secret()`: never logged, masked wherever it is quoted. */
    password: secret(z.string()).default(''),
    /**
     * API-SSL (port 8729) with certificate verification. Default true. The plain API (8728,
     * password in clear on the wire) is used only when this is set to `false` explicitly.
     */
    tls: z.boolean().default(true),
    /**
     * CA that signed the router's certificate: PEM text (at most 64 KiB, certificates only), or
     * the absolute path of a PEM file — a path only for devices of the config file, read when the
     * monitor starts; a device added through the API must give PEM text.
     */
    ca: z
      .string()
      .min(1)
      .max(MAX_CA_BYTES)
      .superRefine((ca, ctx) => {
        const why = caSettingProblem(ca);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      })
      .optional(),
    /** Instead of a CA: the SHA-256 fingerprint of the router's certificate (hex, `:` optional). */
    fingerprint: z
      .string()
      .refine(
        (s) => s.replace(/[^0-9a-f]/gi, '').length === 64,
        'expected a SHA-256 fingerprint (64 hex digits)',
      )
      .optional(),
    /** Check that the certificate names the host. Default true with `ca`, false with `fingerprint`. */
    checkHostname: z.boolean().optional(),
    /** Name the certificate must carry, when it is not `host`. */
    servername: z.string().optional(),
    /** Timeout of connect, login and each command. Default `10s`. */
    timeout: duration('10s'),
    /** What to collect. Default everything. */
    collect: z.array(z.enum(COLLECTIONS)).default([...COLLECTIONS]),
    /**
     * Also report the dynamic interfaces of PPP sessions (`<pppoe-USER>`: types `pppoe-in`,
     * `l2tp-in`, `pptp-in`, `sstp-in`, `ovpn-in`) as interfaces with their own series. Default
     * false: a BNG has thousands of them; their bytes are in `facts.pppoeSessions` instead.
     */
    sessionInterfaces: z.boolean().default(false),
    /** Most rows read from one table (leases, sessions…); more is a part error. Default 20,000. */
    maxRows: z.number().int().positive().default(20_000),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.tls && (s.ca || s.fingerprint)) {
      ctx.addIssue({ code: 'custom', message: '`ca` and `fingerprint` need `tls: true`', path: ['tls'] });
    }
  });

/** Parsed `device.mikrotik`. */
export type MikrotikSettings = z.output<typeof settingsSchema>;
/** What a config may write under `device.mikrotik`. */
export type MikrotikSettingsInput = z.input<typeof settingsSchema>;

/** Options of the plugin (all optional). */
export const optionsSchema = z
  .object({
    /** Open connections across all routers; past it, idle ones are closed first. Default 10,000. */
    maxConnections: z.number().int().positive().default(10_000),
    /** Idle time after which a connection is checked with a small command. Default `60s`. */
    keepalive: duration('60s'),
    /** How often menus a router lacked are tried again. Default `1h` (and after each reconnect). */
    reprobeInterval: duration('1h'),
    /** First wait before reconnecting after a failure; doubles up to `maxBackoff`. Default `2s`. */
    minBackoff: duration('2s'),
    /** Default `5m`. */
    maxBackoff: duration('5m'),
  })
  .strict()
  .prefault({});

/** Parsed plugin options. */
export type MikrotikOptions = z.output<typeof optionsSchema>;
/** Plugin options as written (durations as `60s` or milliseconds). */
export type MikrotikOptionsInput = z.input<typeof optionsSchema>;
