const systemLight = matchMedia('(prefers-color-scheme: light)');

/** The theme in use: the stored choice, else the system's preference (public/theme-init.js sets it). */
export function currentTheme(): 'dark' | 'light' {
  const root = document.documentElement.dataset;
  const set = root.theme ?? root.scheme;
  if (set === 'dark' || set === 'light') return set;
  return systemLight.matches ? 'light' : 'dark';
}

const listeners = new Set<() => void>();

/** Called when the theme changes (charts redraw with the new colours). */
export function onThemeChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Switches between dark and light and remembers the choice. */
export function toggleTheme(): void {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  document.documentElement.dataset.scheme = next;
  try {
    localStorage.setItem('ispm-theme', next);
  } catch {
    // Private mode: the choice lasts until reload.
  }
  changed();
}

/** The theme changed: colours are read again, then everything that draws redraws. */
function changed(): void {
  vars.clear();
  for (const fn of listeners) fn();
}

systemLight.addEventListener('change', () => {
  const root = document.documentElement.dataset;
  if (root.theme) return;
  root.scheme = systemLight.matches ? 'light' : 'dark';
  changed();
});

/** Values of CSS variables in the current theme, read once per theme. */
const vars = new Map<string, string>();

/**
 * A CSS variable's value in the current theme (charts and canvases need real colours). Read once
 * and kept until the theme changes: reading computed style after the page changed forces the
 * browser to recompute styles, and a router page draws dozens of canvases while it builds.
 */
export function cssVar(name: string): string {
  let value = vars.get(name);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    vars.set(name, value);
  }
  return value;
}
