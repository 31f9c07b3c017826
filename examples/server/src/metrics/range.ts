/** The aggregations a metrics range query may ask for (`fn`; `raw` is every sample). */
export const FNS = ['raw', 'rate', 'increase', 'avg', 'min', 'max', 'last'] as const;

/** Most points one request may ask for per series. */
export const MAX_POINTS = 11_000;
