import { h, mount } from '../lib/dom.js';
import type { Page } from '../lib/nav.js';

/**
 * The page for a URL the UI does not know (a mistyped or outdated link): says so, shows the path
 * asked for (as text) and offers the places that do exist, instead of silently showing another page.
 */
export const notFoundPage: Page = (root) => {
  mount(
    root,
    h(
      'section',
      { class: 'card not-found', 'data-testid': 'not-found' },
      h('h2', null, 'Page not found'),
      h('p', null, 'There is no page at ', h('code', { class: 'mono' }, location.pathname), '.'),
      h(
        'p',
        null,
        'Go to the ',
        h('a', { href: '/' }, 'overview'),
        ', the ',
        h('a', { href: '/routers' }, 'routers'),
        ', the ',
        h('a', { href: '/alerts' }, 'alerts'),
        ' or the ',
        h('a', { href: '/reports' }, 'availability report'),
        ', or search with ',
        h('kbd', null, '/'),
        '.',
      ),
    ),
  );
  return () => {};
};
