import { catalogNames } from '@ispmonitor/core';

/** The aggregations a metrics range query may ask for (`fn`; `raw` is every sample). */
export const FNS = ['raw', 'rate', 'increase', 'avg', 'min', 'max', 'last'] as const;

/** Most points one request may ask for per series. */
export const MAX_POINTS = 11_000;

/** The querystring schema of a route about one metric (required, by name), with the route's own properties. */
export function metricQuery<P extends object>(properties: P) {
  return {
    type: 'object',
    required: ['metric'],
    additionalProperties: false,
    properties: { metric: { type: 'string', enum: [...catalogNames] }, ...properties },
  } as const;
}
