// Pan and zoom of an SVG through its viewBox: wheel zooms around the pointer, dragging the
// background pans, +/- keys zoom. The map's content stays in layout units; only the box moves.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A viewport over `svg`; `onChange` runs (once per frame at most) after every move or zoom. */
export interface Viewport {
  readonly box: Box;
  /** Screen pixels per layout unit now. */
  scale(): number;
  /** Shows `b` whole, with `pad` (fraction) around it. */
  fit(b: Box, pad?: number): void;
  /** Centres on a point at a given scale (px per unit). */
  centre(x: number, y: number, scale?: number): void;
  /** Screen point → layout point. */
  toLayout(clientX: number, clientY: number): { x: number; y: number };
  onChange(fn: () => void): void;
  destroy(): void;
}

/** Bounds of points, with a minimum size so a single point still gets a box. */
export function boundsOf(points: Iterable<{ x: number; y: number; r?: number }>, min = 100): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    const r = p.r ?? 0;
    x0 = Math.min(x0, p.x - r);
    y0 = Math.min(y0, p.y - r);
    x1 = Math.max(x1, p.x + r);
    y1 = Math.max(y1, p.y + r);
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, w: min, h: min };
  const w = Math.max(min, x1 - x0);
  const h = Math.max(min, y1 - y0);
  return { x: (x0 + x1) / 2 - w / 2, y: (y0 + y1) / 2 - h / 2, w, h };
}

export function viewport(svg: SVGSVGElement, canPan: (target: Element) => boolean): Viewport {
  const box: Box = { x: 0, y: 0, w: 1000, h: 600 };
  const listeners: Array<() => void> = [];
  let frame = 0;
  const size = () => {
    const r = svg.getBoundingClientRect();
    return { w: r.width || 1000, h: r.height || 600, left: r.left, top: r.top };
  };
  // `box` is the region asked for; `shown` is it widened to the element's aspect ratio (so scale()
  // is exact). Kept apart so resizes never ratchet the view wider and wider.
  const shown: Box = { ...box };
  const apply = () => {
    const s = size();
    const k = Math.max(box.w / s.w, box.h / s.h);
    shown.w = s.w * k;
    shown.h = s.h * k;
    shown.x = box.x - (shown.w - box.w) / 2;
    shown.y = box.y - (shown.h - box.h) / 2;
    svg.setAttribute('viewBox', `${shown.x} ${shown.y} ${shown.w} ${shown.h}`);
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        for (const fn of listeners) fn();
      });
    }
  };
  const scale = () => size().w / shown.w;
  const zoomAt = (fx: number, fy: number, k: number) => {
    Object.assign(box, shown);
    const nw = Math.min(1e7, Math.max(1, box.w * k));
    const nh = (nw / box.w) * box.h;
    box.x += (box.w - nw) * fx;
    box.y += (box.h - nh) * fy;
    box.w = nw;
    box.h = nh;
    apply();
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const s = size();
    zoomAt((e.clientX - s.left) / s.w, (e.clientY - s.top) / s.h, e.deltaY > 0 ? 1.2 : 1 / 1.2);
  };
  let drag: { x: number; y: number; id: number } | undefined;
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0 || !canPan(e.target as Element)) return;
    drag = { x: e.clientX, y: e.clientY, id: e.pointerId };
    svg.setPointerCapture(e.pointerId);
    svg.classList.add('panning');
  };
  const onMove = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const k = shown.w / size().w;
    box.x -= (e.clientX - drag.x) * k;
    box.y -= (e.clientY - drag.y) * k;
    drag = { ...drag, x: e.clientX, y: e.clientY };
    apply();
  };
  const onUp = () => {
    drag = undefined;
    svg.classList.remove('panning');
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.target !== svg) return;
    if (e.key === '+' || e.key === '=') zoomAt(0.5, 0.5, 1 / 1.3);
    else if (e.key === '-') zoomAt(0.5, 0.5, 1.3);
  };
  svg.addEventListener('wheel', onWheel, { passive: false });
  svg.addEventListener('pointerdown', onDown);
  svg.addEventListener('pointermove', onMove);
  svg.addEventListener('pointerup', onUp);
  svg.addEventListener('pointercancel', onUp);
  svg.addEventListener('keydown', onKey);
  const resize = new ResizeObserver(() => apply());
  resize.observe(svg);
  return {
    box,
    scale,
    fit(b, pad = 0.06) {
      box.x = b.x - b.w * pad;
      box.y = b.y - b.h * pad;
      box.w = b.w * (1 + 2 * pad);
      box.h = b.h * (1 + 2 * pad);
      apply();
    },
    centre(x, y, k) {
      const s = size();
      const per = 1 / (k ?? scale());
      box.w = s.w * per;
      box.h = s.h * per;
      box.x = x - box.w / 2;
      box.y = y - box.h / 2;
      apply();
    },
    toLayout(clientX, clientY) {
      const s = size();
      return {
        x: shown.x + ((clientX - s.left) / s.w) * shown.w,
        y: shown.y + ((clientY - s.top) / s.h) * shown.h,
      };
    },
    onChange(fn) {
      listeners.push(fn);
    },
    destroy() {
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
