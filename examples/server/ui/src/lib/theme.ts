/** The theme in use: the stored choice, else the system's preference. */
export function currentTheme(): 'dark' | 'light' {
  const set = document.documentElement.dataset.theme;
  if (set === 'dark' || set === 'light') return set;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
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
  try {
    localStorage.setItem('ispm-theme', next);
  } catch {
    // Private mode: the choice lasts until reload.
  }
  for (const fn of listeners) fn();
}

matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => {
  if (!document.documentElement.dataset.theme) for (const fn of listeners) fn();
});

/** A CSS variable's value in the current theme (charts and canvases need real colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
