import type { SampleQuery } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from './errors.js';

/**
 * The stored samples' queries, for a route that answers from them; without a storage plugin, a
 * NO_STORAGE error that says what is not kept (`notKept`).
 */
export function requireSamples(app: FastifyInstance, notKept = 'time series are not kept'): SampleQuery {
  const samples = app.samples();
  if (!samples) throw new HttpError(ServerErrors.NO_STORAGE, `no storage plugin is installed: ${notKept}`);
  return samples;
}
