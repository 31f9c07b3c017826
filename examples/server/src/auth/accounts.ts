import { randomBytes } from 'node:crypto';
import type { StateStore } from '@ispmonitor/core';
import { NS } from '../state-store.js';
import { hashPassword, newApiKey, newSessionToken, type Role, tokenHash, verifyPassword } from './secrets.js';

/** A user of the web UI, as stored (the password only as an argon2id hash). */
export interface StoredUser {
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  /**
   * When the password or role was last set: sessions opened before it are over (a password
   * change or a demotion logs the user out everywhere). Absent on users stored before it existed.
   */
  credentialsAt?: number;
}

/** An API key, as stored: keyed by the SHA-256 of the key, which is shown once and never kept. */
export interface StoredKey {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the key, so people can tell their keys apart. */
  prefix: string;
  createdAt: number;
  createdBy: string;
}

interface StoredSession {
  username: string;
  role: Role;
  expiresAt: number;
  /** When it was opened; absent on sessions stored before it existed (treated as opened at 0). */
  issuedAt?: number;
}

/** Who made a request. */
export interface Principal {
  /** `user:<name>` or `key:<id>`: what the audit log records. */
  id: string;
  role: Role;
  kind: 'user' | 'key';
}

/**
 * Users, API keys and sessions, all kept in the StateStore (PostgreSQL in production), so every
 * API replica sees the same ones and a restart logs nobody out.
 */
export class Accounts {
  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where users, keys and sessions are kept (login throttling keeps its counts beside them). */
  get stateStore(): StateStore {
    return this.store;
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    return this.store.get<StoredUser>(NS.users, username);
  }

  async listUsers(): Promise<Array<Omit<StoredUser, 'passwordHash'>>> {
    const rows = await this.store.list<StoredUser>(NS.users);
    return rows.map(({ value: { passwordHash: _hidden, ...rest } }) => rest);
  }

  /** Creates or replaces a user; the user's open sessions end (see `credentialsAt`). */
  async putUser(username: string, password: string, role: Role): Promise<void> {
    const now = this.now();
    const previous = await this.getUser(username);
    const user: StoredUser = {
      username,
      role,
      passwordHash: await hashPassword(password),
      createdAt: previous?.createdAt ?? now,
      credentialsAt: now,
    };
    await this.store.set(NS.users, username, user);
  }

  async deleteUser(username: string): Promise<boolean> {
    if (!(await this.getUser(username))) return false;
    await this.store.delete(NS.users, username);
    return true;
  }

  /** Checks a password; the same work is done for unknown users so timing tells nothing. */
  async checkPassword(username: string, password: string): Promise<StoredUser | undefined> {
    const user = await this.getUser(username);
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
    return user && ok ? user : undefined;
  }

  /** Creates an API key; returns the key itself, which is never stored or shown again. */
  async createKey(
    name: string,
    role: Role,
    createdBy: string,
    key = newApiKey(),
  ): Promise<{ key: string; meta: StoredKey }> {
    const meta: StoredKey = {
      id: randomBytes(6).toString('hex'),
      name,
      role,
      prefix: key.slice(0, 9),
      createdAt: this.now(),
      createdBy,
    };
    await this.store.set(NS.apiKeys, tokenHash(key), meta);
    return { key, meta };
  }

  async listKeys(): Promise<StoredKey[]> {
    return (await this.store.list<StoredKey>(NS.apiKeys)).map((r) => r.value);
  }

  async revokeKey(id: string): Promise<boolean> {
    for (const { key, value } of await this.store.list<StoredKey>(NS.apiKeys)) {
      if (value.id === id) {
        await this.store.delete(NS.apiKeys, key);
        return true;
      }
    }
    return false;
  }

  async principalForKey(key: string): Promise<Principal | undefined> {
    const meta = await this.store.get<StoredKey>(NS.apiKeys, tokenHash(key));
    return meta ? { id: `key:${meta.id}`, role: meta.role, kind: 'key' } : undefined;
  }

  /** Opens a session; returns its token (for the cookie). Only the token's hash is stored. */
  async openSession(user: StoredUser, ttlMs: number): Promise<{ token: string; expiresAt: number }> {
    const token = newSessionToken();
    const expiresAt = this.now() + ttlMs;
    const session: StoredSession = {
      username: user.username,
      role: user.role,
      expiresAt,
      issuedAt: this.now(),
    };
    await this.store.set(NS.sessions, tokenHash(token), session);
    return { token, expiresAt };
  }

  async principalForSession(token: string): Promise<Principal | undefined> {
    const key = tokenHash(token);
    const session = await this.store.get<StoredSession>(NS.sessions, key);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      await this.store.delete(NS.sessions, key);
      return undefined;
    }
    // The user is re-read: a deleted user, or one whose password or role changed since the
    // session opened, is logged out at once, on every replica.
    const user = await this.getUser(session.username);
    if (!user || (session.issuedAt ?? 0) < (user.credentialsAt ?? 0)) {
      await this.store.delete(NS.sessions, key);
      return undefined;
    }
    return { id: `user:${user.username}`, role: user.role, kind: 'user' };
  }

  /** Deletes expired sessions and those of deleted users; returns how many. */
  async purgeSessions(): Promise<number> {
    const now = this.now();
    let purged = 0;
    const users = new Map<string, StoredUser | undefined>();
    for (const { key, value } of await this.store.list<StoredSession>(NS.sessions)) {
      if (!users.has(value.username)) users.set(value.username, await this.getUser(value.username));
      const user = users.get(value.username);
      const stale = !user || (value.issuedAt ?? 0) < (user.credentialsAt ?? 0);
      if (value.expiresAt <= now || stale) {
        await this.store.delete(NS.sessions, key);
        purged++;
      }
    }
    return purged;
  }

  async closeSession(token: string): Promise<void> {
    await this.store.delete(NS.sessions, tokenHash(token));
  }
}

// argon2id hash of a random value nobody knows: verified against when the user does not exist.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$RLH8BkGsDro5Jmqow0jw8A$3YzMC2luDYjtMVU1pE1tFRHUOdrVsInMl4q225Ws+kc';
