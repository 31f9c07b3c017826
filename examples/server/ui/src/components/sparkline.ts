import { cssVar } from '../lib/theme.js';

/**
 * Draws a tiny line on a canvas (table rows): canvas, not uPlot, because a screen of rows needs
 * dozens of them and each must cost almost nothing.
 */
export function drawSparkline(canvas: HTMLCanvasElement, values: number[]): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || 100;
  const hgt = canvas.clientHeight || 26;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(dpr, dpr);
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
