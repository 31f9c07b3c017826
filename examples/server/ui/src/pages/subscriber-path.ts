import { statusBadge } from '../components/ui.js';
import { api, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import type { InterfaceRow, Page as ListPage, Router } from '../lib/types.js';

/**
 * The way out of a subscriber's router: the router's status, its uplink interfaces (the `uplinks`
 * label) up or down, and its upstream router's status. Answers the help desk's first question —
 * is it this one line, or the BNG and everyone behind it?
 */
export function subscriberPath(router: Router, signal: AbortSignal): HTMLElement {
  const el = h('p', { class: 'path', 'data-testid': 'subscriber-path' }, 'Path: ', pathRouter(router));
  const uplinks = (router.labels?.uplinks ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const parts: Array<Node | string> = [];
  const draw = () => mount(el, 'Path: ', pathRouter(router), parts);
  if (uplinks.length) {
    api<ListPage<InterfaceRow>>(
      `/api/v1/routers/${encodeURIComponent(router.id)}/interfaces${qs({ pageSize: 1000 })}`,
      { signal },
    )
      .then((r) => {
        for (const name of uplinks) {
          const i = r.items.find((x) => x.name === name);
          if (!i) continue;
          const state = i.operUp ? 'up' : i.adminUp === false ? 'disabled' : 'down';
          parts.push(
            ' · uplink ',
            h('strong', null, name),
            ' ',
            h(
              'span',
              { class: `badge ${state === 'up' ? 'ok' : state === 'down' ? 'bad' : 'unknown'}` },
              state,
            ),
          );
        }
        draw();
      })
      .catch(() => undefined);
  }
  if (router.parent) {
    api<Router>(`/api/v1/routers/${encodeURIComponent(router.parent)}`, { signal })
      .then((p) => {
        parts.push(' · upstream ', ...pathRouter(p));
        draw();
      })
      .catch(() => undefined);
  }
  return el;
}

const pathRouter = (r: Router) => [
  h('a', { href: `/routers/${encodeURIComponent(r.id)}` }, r.name ?? r.id),
  ' ',
  statusBadge(r.status),
];
