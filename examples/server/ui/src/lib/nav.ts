/** A page: renders into `root`, returns a cleanup (abort fetches, unsubscribe, destroy charts). */
export type Page = (root: HTMLElement, params: Record<string, string>, query: URLSearchParams) => () => void;

interface Route {
  pattern: RegExp;
  keys: string[];
  page: Page;
  title: string;
}

const routes: Route[] = [];
let notFoundPage: { page: Page; title: string } | undefined;
let current: (() => void) | undefined;
let outlet: HTMLElement | undefined;
const changeListeners = new Set<(path: string, title: string) => void>();

/**
 * A page whose code loads on its first visit, so the entry bundle holds only the shell and the
 * pages most visits start on. Leaving before the code arrives renders nothing.
 */
export function lazy(load: () => Promise<Page>): Page {
  return (root, params, query) => {
    let cleanup: (() => void) | undefined;
    let left = false;
    void load().then((page) => {
      if (!left) cleanup = page(root, params, query);
    });
    return () => {
      left = true;
      cleanup?.();
    };
  };
}

/** Registers a page for a path like `/routers/:id`. */
export function route(path: string, title: string, page: Page): void {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-z]+)/g, (_m, k: string) => {
      keys.push(k);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ pattern, keys, page, title });
}

/**
 * The page for a URL no route matches (a mistyped or stale link): shown at that URL, so the
 * address bar still says what was asked for. Without one, such URLs go to the overview.
 */
export function notFound(title: string, page: Page): void {
  notFoundPage = { page, title };
}

/** Called after each navigation (the shell highlights the nav entry and sets the title). */
export function onNavigate(fn: (path: string, title: string) => void): void {
  changeListeners.add(fn);
}

/** Renders the page of the current URL into `el`. */
function render(): void {
  if (!outlet) return;
  current?.();
  current = undefined;
  const path = location.pathname;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1] ?? '');
    });
    outlet.replaceChildren();
    current = r.page(outlet, params, new URLSearchParams(location.search));
    for (const fn of changeListeners) fn(path, r.title);
    return;
  }
  if (notFoundPage) {
    outlet.replaceChildren();
    current = notFoundPage.page(outlet, {}, new URLSearchParams(location.search));
    for (const fn of changeListeners) fn(path, notFoundPage.title);
    return;
  }
  navigate('/', true);
}

/** Goes to a path inside the app without reloading. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

const titleListeners = new Set<(title: string) => void>();

/** Pages with their own heading (a router's name) set the shell's title with this. */
export function setTitle(title: string): void {
  for (const fn of titleListeners) fn(title);
}

/** The shell shows titles set by pages. */
export function onTitle(fn: (title: string) => void): void {
  titleListeners.add(fn);
}

/**
 * Starts routing into `el`: same-origin links navigate without reload (keyboard Enter on a link
 * works the same, since it fires click); back/forward re-render.
 */
export function startRouter(el: HTMLElement): void {
  outlet = el;
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search)
      navigate(url.pathname + url.search);
  });
  addEventListener('popstate', render);
  render();
}
