// Applies the stored theme choice before the first paint, so the other theme never flashes.
try {
  const t = localStorage.getItem('ispm-theme');
  if (t === 'dark' || t === 'light') document.documentElement.dataset.theme = t;
} catch {
  // Storage can be disabled: the system preference applies then.
}
