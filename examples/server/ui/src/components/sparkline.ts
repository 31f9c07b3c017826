import { cssVar } from '../lib/theme.js';

/**
 * A canvas sized `w` × `h` CSS pixels at the screen's pixel density, and its 2D context scaled so
 * drawing is in CSS pixels; undefined where the browser has no 2D canvas.
 */
export function sizedContext(
  canvas: HTMLCanvasElement,
  w: number,
  h: number,
): CanvasRenderingContext2D | undefined {
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx?.scale(dpr, dpr);
  return ctx ?? undefined;
}

/**
 * Draws a tiny line on a canvas (table rows): canvas, not uPlot, because a screen of rows needs
 * dozens of them and each must cost almost nothing.
 */
export function drawSparkline(canvas: HTMLCanvasElement, values: number[]): void {
  const w = canvas.clientWidth || 100;
  const hgt = canvas.clientHeight || 26;
  const ctx = sizedContext(canvas, w, hgt);
  if (!ctx) return;
  ctx.clearRect(0, 0, w, hgt);
  const vals = values.filter(Number.isFinite);
  // How many values are drawn: the browser tests look for sparklines with data.
  canvas.dataset.points = String(vals.length);
  if (vals.length === 0) return;
  // One step of data so far (a young router): a level line says "measured", not "missing".
  const line = vals.length === 1 ? [vals[0] as number, vals[0] as number] : values;
  const max = (vals.length === 1 ? 2 * (vals[0] as number) : Math.max(...vals)) || 1;
  const step = w / (line.length - 1);
  const y = (v: number) => hgt - 2 - (v / max) * (hgt - 4);
  ctx.beginPath();
  let started = false;
  line.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (started) ctx.lineTo(i * step, y(v));
    else ctx.moveTo(i * step, y(v));
    started = true;
  });
  ctx.strokeStyle = cssVar('--chart-in');
  ctx.lineWidth = 1.4;
  ctx.stroke();
  ctx.lineTo(w, hgt);
  ctx.lineTo(0, hgt);
  ctx.closePath();
  ctx.globalAlpha = 0.15;
  ctx.fillStyle = cssVar('--chart-in');
  ctx.fill();
}
