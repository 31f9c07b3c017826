import { onPrimary } from './replica/router.js';
import type { Storage } from './store.js';
import type { PostgresStore } from './store-api.js';

/** The methods of the store that answer a promise: each is handed on to the open `Storage`. */
type AsyncMember = Exclude<
  {
    [K in keyof PostgresStore]: PostgresStore[K] extends (...args: never[]) => Promise<unknown> ? K : never;
  }[keyof PostgresStore],
  'readPrimary'
>;

/**
 * Every promise-answering method of `PostgresStore`, named once: a method added to the
 * interface and not here (or named here and not there) fails to compile.
 */
const FORWARDED: Record<AsyncMember, true> = {
  range: true,
  latest: true,
  devices: true,
  interfaces: true,
  neighbours: true,
  links: true,
  pppoeSessions: true,
  dhcpLeases: true,
  statusHistory: true,
  availability: true,
  statusChanges: true,
  topN: true,
  busiestInterfaces: true,
  highestCpu: true,
  rawSamples: true,
  maintain: true,
  storageStats: true,
  importHistory: true,
  search: true,
  subscriber: true,
  subscriberSessions: true,
  ipHistory: true,
  macHistory: true,
};

type Forward = (...args: unknown[]) => Promise<unknown>;

/**
 * The store the plugin provides at setup, before the database is open: each call goes to the
 * `Storage` of the moment (a new one after the database is reached again), and rejects with
 * `DB_NOT_READY` (from `need`) while there is none.
 *
 * @param need The open storage, or a `DB_NOT_READY` error thrown.
 * @param peek The open storage, or undefined: for what has an answer without a database.
 * @param configured The engine the options name, until the database says.
 */
export function lazyStore(
  need: () => Storage,
  peek: () => Storage | undefined,
  configured: 'postgres' | 'pglite',
): PostgresStore {
  const forwarded = {} as Record<AsyncMember, Forward>;
  for (const name of Object.keys(FORWARDED) as AsyncMember[]) {
    forwarded[name] = (...args) => {
      // A missing database is a rejected promise, like any other failure of a read, never a throw.
      try {
        const storage = need();
        return (storage[name] as Forward).apply(storage, args);
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return {
    ...(forwarded as Pick<PostgresStore, AsyncMember>),
    get engine() {
      return peek()?.engine ?? configured;
    },
    readPrimary: onPrimary,
    replicaStatus: () => peek()?.replicaStatus(),
    /** Synchronous: throws `DB_NOT_READY` while there is no database. */
    sourceOf: (query) => need().sourceOf(query),
  };
}
