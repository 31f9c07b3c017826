/**
 * The columns the report's routers can be sorted by: the API's `sort` values and the page's
 * columns. Free of imports, so the web UI bundles this list itself rather than repeat it.
 */
export const ROUTER_SORTS = [
  'name',
  'site',
  'status',
  'covered',
  'availability',
  'downtime',
  'outages',
] as const;

/** One of `ROUTER_SORTS`. */
export type RouterSort = (typeof ROUTER_SORTS)[number];
