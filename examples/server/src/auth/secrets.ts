import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** Roles, weakest first: each includes what the ones before it may do. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `have` grants what `need` asks for. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Passwords are hashed with argon2id (memory-hard: slows guessing of a stolen hash). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Never throws: a malformed stored hash is simply "no match". */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * API keys and session tokens are 32 random bytes, so a plain SHA-256 is enough to store them:
 * nobody can guess a 256-bit value from a dictionary, which is the attack argon2 slows. A fast
 * hash also lets every request find its key with one indexed lookup instead of ~50 ms of argon2.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new API key: `ispm_` + 43 base64url characters (256 bits). */
export function newApiKey(): string {
  return `ispm_${randomBytes(32).toString('base64url')}`;
}

/** A new session token (256 bits). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A readable generated password for the bootstrap admin. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Constant-time string comparison (for the metrics bearer token). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
