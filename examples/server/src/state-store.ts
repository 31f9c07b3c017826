import { type Logger, type StateStore, tokens } from '@ispmonitor/core';

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

/**
 * An in-process StateStore, used only when no storage plugin provides one (tests, `poll`).
 * It makes the server stateful, so `serverState` warns when it falls back to it.
 */
export function memoryStateStore(): StateStore {
  const data = new Map<string, Map<string, unknown>>();
  const ns = (name: string) => {
    let m = data.get(name);
    if (!m) {
      m = new Map();
      data.set(name, m);
    }
    return m;
  };
  return {
    get: async <T>(namespace: string, key: string) =>
      structuredClone(ns(namespace).get(key)) as T | undefined,
    set: async (namespace, key, value) => void ns(namespace).set(key, structuredClone(value)),
    delete: async (namespace, key) => void ns(namespace).delete(key),
    list: async <T>(namespace: string) =>
      [...ns(namespace).entries()].map(([key, value]) => ({ key, value: structuredClone(value) as T })),
  };
}

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
