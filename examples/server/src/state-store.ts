import { type Logger, memoryStateStore, type StateStore, tokens } from '@ispmonitor/core';

/** An in-process StateStore, used only when no storage plugin provides one (tests, `poll`). */
export { memoryStateStore };

/** Namespaces the server keeps in the StateStore. */
export const NS = {
  users: 'server.users',
  apiKeys: 'server.apikeys',
  sessions: 'server.sessions',
  loginThrottle: 'server.login-throttle',
  audit: 'server.audit',
  acks: 'server.alert-acks',
  license: 'server.license',
} as const;

/** What the server needs to find its state: the monitor's resolver. */
export interface StateSource {
  has(token: symbol): boolean;
  resolve<T>(token: symbol & { readonly __type?: T }): T;
}

/**
 * The StateStore of the storage plugin, so users, API keys, sessions and the audit log live in
 * PostgreSQL and any number of API replicas can share them; falls back to memory with a warning.
 */
export function serverState(source: StateSource, logger: Logger): { store: StateStore; persistent: boolean } {
  if (source.has(tokens.StateStore)) return { store: source.resolve(tokens.StateStore), persistent: true };
  logger.warn('no storage plugin provides a StateStore: users, keys and sessions are kept in memory only');
  return { store: memoryStateStore(), persistent: false };
}
