import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { StateStore } from '@ispmonitor/core';
import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { NS } from '../state-store.js';

const FORMAT = 'ispmonitor-license/1';
const DAY_MS = 86_400_000;
/** How long a cached good status, or an expired licence, keeps the server licensed. */
export const GRACE_MS = 72 * 3_600_000;

const payloadSchema = z.object({
  id: z.string().min(1),
  licensee: z.string().min(1),
  issuedAt: z.string().datetime(),
  expiresAt: z.string().datetime(),
  maxRouters: z.number().int().positive(),
});

/** What a licence grants. */
export type LicensePayload = z.output<typeof payloadSchema>;

const fileSchema = z.object({ format: z.literal(FORMAT), payload: z.string(), signature: z.string() });

/** The licence state the API, metrics and the router limit read. */
export interface LicenseStatus {
  /** `community`: no licence configured, no limits. `grace`: expired or unreadable, still honoured. */
  state: 'community' | 'valid' | 'grace' | 'expired' | 'invalid';
  licensee?: string;
  licenseId?: string;
  expiresAt?: string;
  maxRouters?: number;
  daysUntilExpiry?: number;
  graceUntil?: string;
  message: string;
  checkedAt: string;
}

/** Signs a licence with an Ed25519 private key (PEM). For the `license sign` command and tests. */
export function signLicense(payload: LicensePayload, privateKeyPem: string): string {
  const body = Buffer.from(JSON.stringify(payloadSchema.parse(payload)));
  const signature = sign(null, body, createPrivateKey(privateKeyPem));
  return JSON.stringify(
    { format: FORMAT, payload: body.toString('base64url'), signature: signature.toString('base64url') },
    null,
    2,
  );
}

/** A fresh Ed25519 key pair in PEM, for test licences. Keep the private key out of the repo. */
export function generateLicenseKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Verifies a licence file's text offline; throws an Error saying what is wrong. */
export function verifyLicense(text: string, publicKey: KeyObject): LicensePayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the licence file is not JSON');
  }
  const file = fileSchema.safeParse(parsed);
  if (!file.success) throw new Error(`the licence file is not in the ${FORMAT} format`);
  const body = Buffer.from(file.data.payload, 'base64url');
  if (!verify(null, body, publicKey, Buffer.from(file.data.signature, 'base64url'))) {
    throw new Error('the licence signature does not match the public key');
  }
  const payload = payloadSchema.safeParse(JSON.parse(body.toString()));
  if (!payload.success) throw new Error('the licence content is malformed');
  return payload.data;
}

async function loadPublicKey(spec: string): Promise<KeyObject> {
  const pem = spec.includes('-----BEGIN') ? spec : await readFile(spec, 'utf8');
  return createPublicKey(pem);
}

export interface LicenseManagerOptions {
  path?: string;
  publicKey?: string;
  store: StateStore;
  metrics: Registry;
  now?: () => number;
  /** How many routers there are (config and API): a licence below it says so in its status. */
  countRouters?: () => number;
}

/**
 * Checks the licence file, caches the last good result in the StateStore, and keeps the
 * `ispmonitor_license_valid` and `ispmonitor_license_days_until_expiry` gauges current.
 */
export class LicenseManager {
  #status: LicenseStatus;
  readonly #now: () => number;

  constructor(private readonly options: LicenseManagerOptions) {
    this.#now = options.now ?? Date.now;
    this.#status = {
      state: 'community',
      message: 'no licence configured: community mode, no limits',
      checkedAt: this.#iso(this.#now()),
    };
    const self = this;
    new Gauge({
      name: 'ispmonitor_license_valid',
      help: '1 when the licence is valid, in grace, or not needed (community mode); 0 otherwise',
      registers: [options.metrics],
      collect() {
        this.set(['community', 'valid', 'grace'].includes(self.#status.state) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ispmonitor_license_days_until_expiry',
      help: 'Days until the licence expires (negative once expired); +Inf in community mode (never expires)',
      // A label, because prom-client always exposes an unlabelled gauge, and a 0 would look expired.
      labelNames: ['license'],
      registers: [options.metrics],
      collect() {
        this.reset();
        const { daysUntilExpiry, licenseId, state } = self.#status;
        if (daysUntilExpiry !== undefined) this.set({ license: licenseId ?? '' }, daysUntilExpiry);
        // Present from the first scrape (a dashboard shows ∞, not "No data"), and an alert on
        // `< 30` stays quiet: community mode has nothing to expire.
        else if (state === 'community') this.set({ license: 'community' }, Number.POSITIVE_INFINITY);
      },
    });
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  get status(): LicenseStatus {
    return this.#status;
  }

  /** Re-reads and verifies the licence. Never throws: problems become the status. */
  async check(): Promise<LicenseStatus> {
    const now = this.#now();
    const { path, publicKey, store } = this.options;
    if (!path) return this.#status;
    let payload: LicensePayload;
    let text: string;
    let key: KeyObject | undefined;
    try {
      if (!publicKey) throw new Error('server.license.publicKey (ISPM_LICENSE_PUBLIC_KEY) is not set');
      key = await loadPublicKey(publicKey);
      text = await readFile(path, 'utf8');
      payload = verifyLicense(text, key);
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? `licence file ${path} not found`
          : (err as Error).message;
      const cached = key ? await this.#cached(key) : undefined;
      if (cached && now - cached.verifiedAt < GRACE_MS && Date.parse(cached.payload.expiresAt) > now) {
        this.#status = this.#describe(
          cached.payload,
          now,
          'grace',
          `${reason}; using the licence verified at ${this.#iso(cached.verifiedAt)}`,
          cached.verifiedAt + GRACE_MS,
        );
      } else {
        this.#status = { state: 'invalid', message: reason, checkedAt: this.#iso(now) };
      }
      return this.#status;
    }
    const expires = Date.parse(payload.expiresAt);
    if (expires > now) {
      // The signed file itself is cached, not its verdict: the cache is verified again when it
      // is used, so a row written into the database by hand grants nothing.
      await store.set(NS.license, 'last-good', { text, verifiedAt: now });
      this.#status = this.#describe(payload, now, 'valid', 'licence valid');
    } else if (now - expires < GRACE_MS) {
      this.#status = this.#describe(
        payload,
        now,
        'grace',
        'licence expired: grace period of 72 hours',
        expires + GRACE_MS,
      );
    } else {
      this.#status = this.#describe(payload, now, 'expired', `licence expired on ${payload.expiresAt}`);
    }
    return this.#status;
  }

  /**
   * The last good licence file, verified again with `key`; undefined when there is none, it is
   * of the old unsigned form, or its signature does not match.
   */
  async #cached(key: KeyObject): Promise<{ payload: LicensePayload; verifiedAt: number } | undefined> {
    const cached = await this.options.store
      .get<{ text?: unknown; verifiedAt?: unknown }>(NS.license, 'last-good')
      .catch(() => undefined);
    if (!cached || typeof cached.text !== 'string' || typeof cached.verifiedAt !== 'number') return undefined;
    try {
      // A verification time in the future would stretch the grace period: it counts as now.
      return {
        payload: verifyLicense(cached.text, key),
        verifiedAt: Math.min(cached.verifiedAt, this.#now()),
      };
    } catch {
      return undefined;
    }
  }

  #describe(
    p: LicensePayload,
    now: number,
    state: LicenseStatus['state'],
    message: string,
    graceUntil?: number,
  ): LicenseStatus {
    // Config devices are not refused for it (monitoring that stops over a count would be worse),
    // but the status says so and adding routers through the API is refused.
    const count = this.options.countRouters?.();
    if (count !== undefined && count > p.maxRouters) {
      message = `${message}; ${count} routers exist, over the licence's ${p.maxRouters}: none can be added until some are removed or the licence is extended`;
    }
    return {
      state,
      licensee: p.licensee,
      licenseId: p.id,
      expiresAt: p.expiresAt,
      maxRouters: p.maxRouters,
      daysUntilExpiry: Math.floor(((Date.parse(p.expiresAt) - now) / DAY_MS) * 100) / 100,
      ...(graceUntil ? { graceUntil: this.#iso(graceUntil) } : {}),
      message,
      checkedAt: this.#iso(now),
    };
  }

  /** Whether one more router may be added when `current` exist; a message when not. */
  allowsAnotherRouter(current: number): { ok: true } | { ok: false; message: string } {
    const s = this.#status;
    if (s.state === 'community') return { ok: true };
    if (s.state === 'invalid' || s.state === 'expired') {
      return { ok: false, message: `cannot add routers: ${s.message}` };
    }
    if (s.maxRouters !== undefined && current >= s.maxRouters) {
      return { ok: false, message: `the licence allows ${s.maxRouters} routers and ${current} exist` };
    }
    return { ok: true };
  }
}
