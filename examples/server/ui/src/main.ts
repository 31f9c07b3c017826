import './styles.css';
import { overloadBanner } from './components/overload-banner.js';
import { searchBox } from './components/search-box.js';
import { api, onUnauthorised } from './lib/api.js';
import { watchTables } from './lib/cards.js';
import { h, icon, s } from './lib/dom.js';
import { live } from './lib/live.js';
import { lazy, notFound, onNavigate, onTitle, route, startRouter } from './lib/nav.js';
import { toggleTheme } from './lib/theme.js';
import type { Me } from './lib/types.js';
import { loginPage } from './pages/login.js';
import { notFoundPage } from './pages/not-found.js';
import { overviewPage } from './pages/overview.js';
import { routerPage } from './pages/router.js';
import { routersPage } from './pages/routers.js';
import { topologyPage } from './pages/topology.js';

const app = document.getElementById('app') as HTMLElement;
// Tables that pages build by hand get their cells labelled for the phone card layout.
watchTables(app);

// The pages most visits start on are in the entry bundle; the others load on first visit.
const alerts = lazy(() => import('./pages/alerts.js').then((m) => m.alertsPage));
const subscriber = lazy(() => import('./pages/subscriber.js').then((m) => m.subscriberPage));
const ip = lazy(() => import('./pages/bindings.js').then((m) => m.ipPage));
const mac = lazy(() => import('./pages/bindings.js').then((m) => m.macPage));
const reports = lazy(() => import('./pages/reports.js').then((m) => m.reportsPage));
for (const [path, title, page] of [
  ['/', 'Overview', overviewPage],
  ['/routers', 'Routers', routersPage],
  ['/routers/:id', 'Router', routerPage],
  ['/topology', 'Topology', topologyPage],
  ['/alerts', 'Alerts', alerts],
  ['/subscribers/:user', 'Subscriber', subscriber],
  ['/ips/:ip', 'IP address', ip],
  ['/macs/:mac', 'MAC address', mac],
  ['/reports', 'Reports', reports],
] as const) {
  route(path, title, page);
}
notFound('Page not found', notFoundPage);

const NAV = [
  { path: '/', label: 'Overview', icon: 'overview' },
  { path: '/routers', label: 'Routers', icon: 'routers' },
  { path: '/topology', label: 'Topology', icon: 'topology' },
  { path: '/alerts', label: 'Alerts', icon: 'alerts' },
  { path: '/reports', label: 'Reports', icon: 'reports' },
] as const;

/** Icons the shell needs beyond the shared set (drawn the same way: 24×24, stroked). */
const SHELL_ICONS: Record<string, string> = {
  reports: 'M5 3h10l4 4v14H5zM9 17v-4M12 17v-7M15 17v-2',
  docs: 'M6 3h9l3 3v15H6zM9 9h6M9 13h6M9 17h4',
};
const navIcon = (name: string) =>
  SHELL_ICONS[name]
    ? s(
        'svg',
        { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' },
        s('path', { d: SHELL_ICONS[name] }),
      )
    : icon(name);

/** The frame around every page: navigation, live indicator, theme toggle, logout. */
function shell(): HTMLElement {
  const firing = h('span', { class: 'badge bad plain count', hidden: true, 'data-testid': 'firing-count' });
  const links = NAV.map((n) =>
    h(
      'a',
      { href: n.path, 'data-nav': n.path },
      navIcon(n.icon),
      h('span', null, n.label),
      n.path === '/alerts' ? firing : null,
    ),
  );
  const userEl = h('span', { class: 'muted' }, '');
  const liveEl = h('span', { class: 'live', 'data-testid': 'live' }, 'Connecting…');
  const title = h('h1', { class: 'title' }, '');
  const menuBtn = h(
    'button',
    { type: 'button', class: 'icon menu-btn', 'aria-label': 'Menu', 'aria-expanded': 'false' },
    icon('menu'),
  );
  const outlet = h('main', { class: 'content', id: 'main' });
  const search = searchBox();
  const overload = overloadBanner();
  const root = h(
    'div',
    { class: 'shell' },
    h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Main' },
      h('a', { class: 'brand', href: '/' }, h('img', { src: '/favicon.svg', alt: '' }), 'ISP Monitor'),
      h('div', { class: 'nav' }, links),
      h(
        'div',
        { class: 'sidebar-foot' },
        userEl,
        // The API description is a server page (not part of this app): a full page load.
        h('a', { href: '/api/docs', class: 'btn docs-link' }, navIcon('docs'), 'API docs'),
        h(
          'button',
          { type: 'button', onclick: toggleTheme, 'aria-label': 'Switch between dark and light theme' },
          icon('theme'),
          'Theme',
        ),
        h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              await api('/api/v1/auth/logout', { method: 'POST', body: {} }).catch(() => undefined);
              remember(false);
              live.stop();
              location.assign('/');
            },
          },
          icon('logout'),
          'Sign out',
        ),
      ),
    ),
    h(
      'div',
      { class: 'main' },
      overload.el,
      h('header', { class: 'topbar' }, menuBtn, title, search.el, liveEl),
      outlet,
    ),
  );
  menuBtn.addEventListener('click', () => {
    const open = root.classList.toggle('menu-open');
    menuBtn.setAttribute('aria-expanded', String(open));
  });
  app.replaceChildren(root);

  onNavigate((path, name) => {
    root.classList.remove('menu-open');
    menuBtn.setAttribute('aria-expanded', 'false');
    for (const a of links) {
      const p = a.dataset.nav as string;
      const active = p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`);
      if (active) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    search.close();
    // Pages about one thing (a router, a subscriber, an address) set their own title.
    if (!/^\/(routers|subscribers|ips|macs)\//.test(path)) {
      title.textContent = name;
      document.title = `${name} · ISP Monitor`;
    }
  });
  onTitle((t) => {
    title.textContent = t;
    document.title = `${t} · ISP Monitor`;
  });

  live.on('connection', ({ connected }) => {
    liveEl.className = `live ${connected ? 'on' : 'off'}`;
    liveEl.textContent = connected ? 'Live' : 'Reconnecting…';
  });
  // The firing count in the navigation: the server's totals from the stream (pending is not firing),
  // the same snapshot the alerts page and the overview show.
  live.followAlertCounts((c) => {
    firing.hidden = c.firing === 0;
    firing.textContent = String(c.firing);
    firing.setAttribute('aria-label', `${c.firing} firing alerts`);
  });
  // The overload banner follows the stream: the state in its hello, then each change.
  if (live.overload) overload.update(live.overload);
  live.on('overload', (o) => overload.update(o));
  live.start();
  startRouter(outlet);
  return userEl;
}

/** Set after a good session: the next load draws the app at once instead of asking first. */
const SEEN = 'ispm-session-seen';
const remember = (on: boolean) => {
  try {
    if (on) localStorage.setItem(SEEN, '1');
    else localStorage.removeItem(SEEN);
  } catch {
    // Storage disabled: every load asks /auth/me first.
  }
};
const seen = () => {
  try {
    return localStorage.getItem(SEEN) === '1';
  } catch {
    return false;
  }
};

async function boot(): Promise<void> {
  onUnauthorised(() => {
    remember(false);
    live.stop();
    showLogin();
  });
  if (location.pathname === '/login') {
    showLogin();
    return;
  }
  const who = api<Me>('/api/v1/auth/me');
  if (seen()) {
    // Likely still signed in: draw now, in parallel with the check (a 401 shows the login).
    const userEl = shell();
    who.then((me) => setUser(userEl, me)).catch(() => undefined);
    return;
  }
  try {
    const me = await who;
    remember(true);
    setUser(shell(), me);
  } catch {
    showLogin();
  }
}

function setUser(el: HTMLElement, me: Me | undefined): void {
  const name = (me?.username ?? me?.id ?? 'user').replace(/^user:/, '');
  el.textContent = `Signed in as ${name}${me?.role ? ` (${me.role})` : ''}`;
}

/**
 * Where to go after signing in: the page asked for, or `/login?next=…` (the server's pages such
 * as /api/docs send browsers there). Only a path on this site: never another origin.
 */
function afterLogin(): string {
  if (location.pathname !== '/login') return location.pathname + location.search;
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

let loginShown = false;
function showLogin(): void {
  if (loginShown) return;
  loginShown = true;
  document.title = 'Sign in · ISP Monitor';
  loginPage(app, () => {
    // A fresh page load after login: the shell, the stream and the router start exactly once.
    remember(true);
    location.replace(afterLogin());
  });
}

void boot();
