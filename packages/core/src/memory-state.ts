import type { StateStore } from './types.js';

/**
 * A StateStore in memory, for when no storage plugin provides one (tests, `poll`, a monitor
 * without a database) and as a test double that can be shared across restarts. Values are kept
 * as JSON text, as a database's store keeps them, so a caller never shares a mutable object with
 * the store and sees the same round trip (dates come back as strings, `undefined` fields vanish)
 * with or without a database.
 */
export function memoryStateStore(): StateStore {
  const data = new Map<string, Map<string, string>>();
  const ns = (name: string) => {
    let m = data.get(name);
    if (!m) {
      m = new Map();
      data.set(name, m);
    }
    return m;
  };
  return {
    async get<T>(namespace: string, key: string) {
      const v = ns(namespace).get(key);
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    async set(namespace, key, value) {
      ns(namespace).set(key, JSON.stringify(value));
    },
    async delete(namespace, key) {
      ns(namespace).delete(key);
    },
    async list<T>(namespace: string) {
      return [...ns(namespace)].map(([key, v]) => ({ key, value: JSON.parse(v) as T }));
    },
  };
}
