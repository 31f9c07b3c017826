// Accessibility checks run inside the page (loaded with page.addScriptTag). Plain browser
// JavaScript so no DOM types leak into the Node test build. Results are plain JSON.

/** Parses `rgb(…)`/`rgba(…)`/`color(srgb …)` into [r, g, b, a] (0..255, alpha 0..1). */
function parseColor(css) {
  const m = css.match(/rgba?\(([^)]+)\)/);
  if (m) {
    const p = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [p[0], p[1], p[2], p[3] === undefined ? 1 : p[3]];
  }
  const c = css.match(/color\(srgb ([^)]+)\)/);
  if (c) {
    const p = c[1]
      .split(/[\s/]+/)
      .filter(Boolean)
      .map(Number);
    return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] === undefined ? 1 : p[3]];
  }
  return [0, 0, 0, 0];
}

/** `top` over `bottom` (alpha compositing; bottom is opaque). */
function over(top, bottom) {
  const a = top[3];
  return [
    top[0] * a + bottom[0] * (1 - a),
    top[1] * a + bottom[1] * (1 - a),
    top[2] * a + bottom[2] * (1 - a),
    1,
  ];
}

/** The opaque colour behind an element: its backgrounds and its ancestors', composited. */
function backgroundOf(el) {
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const bg = parseColor(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let color = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
  return color;
}

function luminance(c) {
  const ch = c.slice(0, 3).map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

/** WCAG contrast ratio of two opaque colours. */
function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function visible(el) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return false;
  const st = getComputedStyle(el);
  return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0.1;
}

/** The name assistive technology would announce for a control. */
function accessibleName(el) {
  const labelledby = el.getAttribute('aria-labelledby');
  if (labelledby) {
    const text = labelledby
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim();
    if (text) return text;
  }
  const aria = el.getAttribute('aria-label');
  if (aria?.trim()) return aria.trim();
  if (el.labels?.length) return [...el.labels].map((l) => l.textContent.trim()).join(' ');
  if (el.tagName === 'BUTTON' || el.tagName === 'A') return el.textContent.trim();
  return el.getAttribute('title')?.trim() ?? '';
}

window.__a11y = {
  /** Visible controls without an accessible name. */
  unlabelled() {
    const out = [];
    for (const el of document.querySelectorAll(
      'input, select, textarea, button, a[href], [role="tab"], [role="link"]',
    )) {
      if (!visible(el) || el.type === 'hidden') continue;
      if (!accessibleName(el)) out.push(el.outerHTML.slice(0, 160));
    }
    return out;
  },
  /** Visible text below 4.5:1 against what is behind it (disabled controls are exempt in WCAG). */
  lowContrast(min = 4.5) {
    const out = [];
    let checked = 0;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      if (!el || !visible(el) || el.closest('[disabled], [aria-hidden="true"], .sr-only, noscript, title'))
        continue;
      const inSvg = el instanceof SVGElement;
      const st = getComputedStyle(el);
      const fg = parseColor(inSvg ? st.fill : st.color);
      // SVG text sits on the drawing's background (the svg element's card).
      const bg = backgroundOf(inSvg ? el.ownerSVGElement : el);
      const ratio = contrast(over(fg, bg), bg);
      checked++;
      if (ratio < min)
        out.push({
          text: n.textContent.trim().slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          color: st.color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(',')})`,
        });
    }
    return { checked, failures: out };
  },
  /** Drops focus, so the next Tab starts from the top of the page. */
  blur() {
    document.activeElement?.blur?.();
  },
  /** How far the page scrolls sideways (0 on a layout that fits the screen). */
  overflowX() {
    return document.documentElement.scrollWidth - window.innerWidth;
  },
  /** The body's background colour (theme checks). */
  background() {
    return getComputedStyle(document.body).backgroundColor;
  },
  /** The most values drawn by one chart under `selector` (charts set data-points). */
  chartPoints(selector) {
    return Math.max(
      0,
      ...[...document.querySelectorAll(`${selector} .chart`)].map((e) => Number(e.dataset.points ?? 0)),
    );
  },
  /** A value kept in the page: gone after a reload, so tests can prove no reload happened. */
  mark() {
    window.__marker = 1;
  },
  marked() {
    return window.__marker === 1;
  },
  /** What has focus now: a short description for keyboard tests. */
  focused() {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return { tag: el.tagName.toLowerCase(), name: accessibleName(el), href: el.getAttribute('href') };
  },
};
