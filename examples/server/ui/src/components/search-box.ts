import { api, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { navigate } from '../lib/nav.js';
import {
  checkQuery,
  groupHits,
  hitHref,
  hitKey,
  hitState,
  hitTitle,
  hitWhere,
  isSearchShortcut,
  MAX_QUERY,
} from '../lib/search.js';
import type { SearchHit, SearchResult } from '../lib/subscriber-types.js';

/** Wait after the last key press before asking (short: suggestions should follow the typing). */
const DEBOUNCE_MS = 60;
/**
 * A change after this long without one (the first key press, a paste, a pick from the history)
 * asks at once; the key presses that follow it within a burst wait for `DEBOUNCE_MS` of quiet.
 */
const IDLE_MS = 400;
/** Hits asked for: enough for five groups without a scroll longer than the screen. */
const LIMIT = 30;

const STATE_CLASS: Record<string, string> = {
  online: 'ok',
  up: 'ok',
  active: 'ok',
  unreachable: 'warn',
  offline: 'bad',
  down: 'bad',
  past: 'unknown',
  unknown: 'unknown',
};
const STATE_WORD: Record<string, string> = {
  online: 'up',
  offline: 'down',
  active: 'online',
  past: 'offline',
};

/**
 * The global search in the top bar: routers, interfaces, subscribers, IPs and MACs as you type
 * (the first change after a pause at once, the rest of a burst debounced; a newer key press cancels
 * the request in flight), grouped by kind. An ARIA combobox:
 * ↑/↓ move through the hits, Enter opens one (the first when none is chosen), Esc closes, a second
 * Esc leaves the box. `/` (outside text fields) and Ctrl+K / ⌘K focus it from any page.
 */
export function searchBox(): { el: HTMLElement; close(): void } {
  const input = h('input', {
    type: 'search',
    id: 'global-search',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': 'search-results',
    'aria-label': 'Search routers, subscribers, IP and MAC addresses (/ or Ctrl+K)',
    placeholder: 'User, IP, MAC, router…',
    maxlength: String(MAX_QUERY * 5),
  });
  const hint = h('kbd', { class: 'search-kbd', 'aria-hidden': 'true' }, '/');
  const list = h('div', { id: 'search-results', role: 'listbox', 'aria-label': 'Search results' });
  const status = h('div', { class: 'search-status', role: 'status', 'aria-live': 'polite' });
  const panel = h(
    'div',
    { class: 'search-panel', hidden: true, 'data-testid': 'search-panel' },
    status,
    list,
  );
  const el = h('div', { class: 'search', role: 'search' }, input, hint, panel);

  let options: HTMLAnchorElement[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastChange = Number.NEGATIVE_INFINITY;
  let inflight: AbortController | undefined;
  /** The query the list on screen answers (Enter waits for nothing when it equals the text). */
  let shown = '';

  const open = (on: boolean) => {
    panel.hidden = !on;
    input.setAttribute('aria-expanded', String(on && options.length > 0));
  };
  const close = () => {
    clearTimeout(timer);
    inflight?.abort();
    open(false);
  };
  const setActive = (i: number) => {
    active = options.length === 0 ? -1 : (i + options.length) % options.length;
    options.forEach((o, j) => {
      o.setAttribute('aria-selected', String(j === active));
    });
    const cur = options[active];
    if (cur) {
      input.setAttribute('aria-activedescendant', cur.id);
      cur.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const say = (text: string, tone = '') => {
    status.textContent = text;
    status.className = `search-status ${tone}`;
  };

  const go = (href: string) => {
    close();
    input.blur();
    navigate(href);
  };

  const render = (r: SearchResult) => {
    const groups = groupHits(r.hits);
    options = [];
    const now = Date.now();
    mount(
      list,
      groups.map((g) => {
        const headId = `search-group-${g.kind}`;
        return h(
          'div',
          { role: 'group', 'aria-labelledby': headId, class: 'search-group' },
          h('div', { id: headId, class: 'search-head', role: 'presentation' }, g.title),
          g.hits.map((hit) => option(hit, now)),
        );
      }),
    );
    shown = r.query;
    if (r.hits.length === 0) say(`Nothing matches “${r.query}”.`);
    else if (r.note) say(r.note, 'warn');
    else if (r.hits.length >= LIMIT) say(`The first ${LIMIT} matches: type more to narrow.`);
    else say('');
    setActive(options.length ? 0 : -1);
    open(true);
  };

  const option = (hit: SearchHit, now: number) => {
    const state = hitState(hit);
    const a = h(
      'a',
      {
        role: 'option',
        id: `search-opt-${options.length}`,
        href: hitHref(hit),
        class: 'search-hit',
        'aria-selected': 'false',
        'data-kind': hit.kind,
        'data-key': hitKey(hit),
        tabindex: '-1',
        // Keep focus in the box while the mouse picks: the list closes on blur otherwise.
        onmousedown: (e: MouseEvent) => e.preventDefault(),
        onclick: (e: MouseEvent) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey) return;
          e.preventDefault();
          go(hitHref(hit));
        },
      },
      h(
        'span',
        { class: 'search-line' },
        h('strong', { class: hit.kind === 'mac' || hit.kind === 'ip' ? 'mono' : undefined }, hitTitle(hit)),
        state
          ? h('span', { class: `badge ${STATE_CLASS[state] ?? 'unknown'}` }, STATE_WORD[state] ?? state)
          : null,
      ),
      h('span', { class: 'search-where muted' }, hitWhere(hit, now)),
    );
    const i = options.length;
    a.addEventListener('mousemove', () => {
      if (active !== i) setActive(i);
    });
    options.push(a);
    return a;
  };

  const run = async (q: string) => {
    inflight?.abort();
    const ctl = new AbortController();
    inflight = ctl;
    say('Searching…');
    open(true);
    try {
      const r = await api<SearchResult>(`/api/v1/search${qs({ q, limit: LIMIT })}`, { signal: ctl.signal });
      if (ctl.signal.aborted || document.activeElement !== input) return;
      render(r);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      options = [];
      list.replaceChildren();
      say(`Search failed: ${(err as Error).message}`, 'bad');
      open(true);
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    const c = checkQuery(input.value);
    if ('skip' in c) {
      inflight?.abort();
      options = [];
      list.replaceChildren();
      shown = '';
      setActive(-1);
      if (c.skip === 'empty') return open(false);
      say(
        c.skip === 'too long'
          ? `Too long: at most ${MAX_QUERY} characters.`
          : 'Control characters cannot be searched.',
        'warn',
      );
      return open(true);
    }
    const now = performance.now();
    const idle = now - lastChange >= IDLE_MS;
    lastChange = now;
    if (idle) void run(c.q);
    else timer = setTimeout(() => void run(c.q), DEBOUNCE_MS);
  };

  input.addEventListener('input', schedule);
  input.addEventListener('focus', () => {
    input.select();
    if (options.length && 'q' in checkQuery(input.value)) open(true);
  });
  input.addEventListener('blur', () => open(false));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (panel.hidden && options.length) open(true);
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const c = checkQuery(input.value);
      if (!('q' in c)) return;
      // Typed fast and pressed Enter before the answer: ask now, open the best hit.
      if (c.q !== shown) {
        clearTimeout(timer);
        void run(c.q).then(() => {
          const first = options[0];
          if (first && shown === c.q) go(first.getAttribute('href') ?? '/');
        });
        return;
      }
      const pick = options[active] ?? options[0];
      if (pick) go(pick.getAttribute('href') ?? '/');
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (!panel.hidden) close();
      else {
        input.value = '';
        input.blur();
      }
    }
  });

  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    const typing =
      !!t &&
      (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || !!t.closest('dialog'));
    if (!isSearchShortcut(e, typing)) return;
    e.preventDefault();
    input.focus();
  });

  return { el, close };
}
