import { MonitorError } from '@ispmonitor/core';
import { BAD_QUERY, type PostgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';

/** The subscriber reads of the Postgres plugin's store that these routes use. */
export type SubscriberReads = Pick<
  PostgresStore,
  'search' | 'subscriber' | 'subscriberSessions' | 'ipHistory' | 'macHistory'
>;

const METHODS = ['search', 'subscriber', 'subscriberSessions', 'ipHistory', 'macHistory'] as const;

/**
 * The store's subscriber reads, or undefined when no storage plugin keeps subscriber history
 * (checked method by method: a store from before subscriber history has none of them).
 */
export function subscriberReads(app: FastifyInstance): SubscriberReads | undefined {
  const store = app.store() as unknown as Partial<SubscriberReads> | undefined;
  if (!store) return undefined;
  return METHODS.every((m) => typeof store[m] === 'function') ? (store as SubscriberReads) : undefined;
}

/** Why the subscriber endpoints answer 503 (said once, the same everywhere). */
export const NO_SUBSCRIBER_STORE =
  'subscriber history is not kept: it needs the postgres storage plugin (storage.url, or the embedded PGlite default)';

/** The reads, or a 503 that says what is missing. */
export function requireReads(app: FastifyInstance): SubscriberReads {
  const reads = subscriberReads(app);
  if (!reads) throw new HttpError(ServerErrors.NO_SUBSCRIBER_STORE, NO_SUBSCRIBER_STORE);
  return reads;
}

/**
 * Runs a read; the store's bad-input errors (`BAD_QUERY`) become HttpErrors with their status
 * (400), never 500s, so callers can tell them from a database that failed.
 */
export async function read<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MonitorError && err.code === BAD_QUERY)
      throw new HttpError(err.status, err.message, err.code);
    throw err;
  }
}
