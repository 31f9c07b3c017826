// Applies the theme before the first paint, so the other theme never flashes: `data-theme` is the
// stored choice (if any), `data-scheme` the theme in use — that choice, else the system's
// preference (lib/theme.ts keeps it in step when the system's preference changes).
let choice = null;
try {
  choice = localStorage.getItem('ispm-theme');
} catch {
  // Storage can be disabled: the system preference applies then.
}
const root = document.documentElement;
if (choice === 'dark' || choice === 'light') root.dataset.theme = choice;
root.dataset.scheme =
  root.dataset.theme ?? (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark');
