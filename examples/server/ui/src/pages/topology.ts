import type { Page } from '../lib/nav.js';

/**
 * The topology page's code (map drawing, geographic projection, layout, its styles) is a chunk
 * of its own, loaded on first visit: every other page's bundle stays without it. Opened on
 * /topology, the chunk is asked for as the bundle runs, beside the session check.
 */
const load = () => import('./topology-view.js');
let chunk: ReturnType<typeof load> | undefined;
const view = () => {
  chunk ??= load();
  return chunk;
};
if (location.pathname === '/topology') void view().catch(() => undefined);

/** The network as a map (see `topology-view.ts`). */
export const topologyPage: Page = (root, params, query) => {
  let cleanup: (() => void) | undefined;
  let left = false;
  view()
    .then((m) => {
      if (!left) cleanup = m.topologyPage(root, params, query);
    })
    .catch((err: Error) => {
      chunk = undefined;
      if (!left) root.textContent = `The topology could not be loaded: ${err.message}`;
    });
  return () => {
    left = true;
    cleanup?.();
  };
};
