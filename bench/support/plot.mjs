// A small SVG line chart for benchmark growth curves (no plotting dependency): one panel per
// figure, devices on a logarithmic x axis, the goal as a dashed line.

const W = 300;
const H = 220;
const M = { top: 34, right: 16, bottom: 40, left: 52 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `v`. */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * One panel. `points`: [{ x: devices, y }]; `goal`: a y value drawn dashed (optional);
 * `yMin`/`yMax`: fixed axis bounds (optional).
 */
function panel({ title, unit, points, goal, yMin = 0, yMax }, offsetX) {
  const xs = points.map((p) => p.x);
  const lx0 = Math.log10(Math.min(...xs) / 1.5);
  const lx1 = Math.log10(Math.max(...xs) * 1.5);
  const top = yMax ?? niceMax(Math.max(...points.map((p) => p.y), goal ?? 0) * 1.1);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x) => M.left + ((Math.log10(x) - lx0) / (lx1 - lx0)) * pw;
  const py = (y) => M.top + ph - ((Math.min(Math.max(y, yMin), top) - yMin) / (top - yMin)) * ph;
  const out = [`<g transform="translate(${offsetX},0)">`];
  out.push(
    `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)} (${esc(unit)})</text>`,
  );
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((top - yMin) * i) / 4;
    const y = py(v);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const x of xs) {
    out.push(`<text x="${px(x)}" y="${M.top + ph + 16}" text-anchor="middle">${k(x)}</text>`);
  }
  out.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle">devices</text>`);
  if (goal !== undefined) {
    const y = py(goal);
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" stroke="#c33" stroke-dasharray="5,4"/>`,
      `<text x="${M.left + 4}" y="${y - 4 < M.top + 12 ? y + 14 : y - 4}" fill="#c33">goal ${fmt(goal)}</text>`,
    );
  }
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  out.push(`<path d="${path}" fill="none" stroke="#2563eb" stroke-width="2"/>`);
  for (const p of points) {
    out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="#2563eb"/>`);
    const ly = py(p.y) - 8 < M.top + 10 ? py(p.y) + 16 : py(p.y) - 8;
    out.push(`<text x="${px(p.x)}" y="${ly}" text-anchor="middle">${fmt(p.y)}</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** Panels side by side in one SVG document, with a caption line under them. */
export function growthSvg(panels, caption = '') {
  const width = W * panels.length;
  const height = H + (caption ? 22 : 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(panels.map((p) => p.title).join(', '))} by number of devices</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    caption ? `<text x="8" y="${H + 14}" fill="#555">${esc(caption)}</text>` : '',
    '</svg>',
    '',
  ].join('\n');
}
