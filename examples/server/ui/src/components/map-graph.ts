// The graph view: sites as discs of devices (or one bubble when collapsed), links between what is
// drawn. Devices and sites can be dragged; a drop reports the new position (the page saves it
// for the account). A click (no drag) opens a router or expands/collapses a site.
import { s } from '../lib/dom.js';
import type { TopologyView } from '../lib/types.js';
import { linkEl, nodeEl, siteBubbleEl, siteDiscEl } from './map-draw.js';
import { type GraphModel, graphModel, type Point } from './map-model.js';
import type { Viewport } from './map-viewport.js';

export interface GraphHandlers {
  open(id: string): void;
  toggleSite(id: string): void;
  /** A device (`id`) or a site (`site:NAME`) was dropped at `p`. */
  moved(key: string, p: Point): void;
}

/** Draws the graph view into `layer`; returns the model drawn (for focusing and tests). */
export function drawGraph(
  layer: SVGGElement,
  topo: TopologyView,
  expanded: ReadonlySet<string>,
  positions: Record<string, Point>,
): GraphModel {
  const model = graphModel(topo, expanded, positions);
  const names = new Map(topo.nodes.map((n) => [n.id, n.name]));
  const endName = (key: string) => (key.startsWith('site:') ? key.slice(5) : (names.get(key) ?? key));
  const links = model.links.map((l) => {
    const [a, b] = l.key.split('|') as [string, string];
    return linkEl(l, [endName(a), endName(b)]);
  });
  layer.replaceChildren(
    s('g', { class: 'sites' }, model.sites.filter((d) => !d.collapsed).map(siteDiscEl)),
    s('g', { class: 'links' }, links),
    s('g', { class: 'bubbles' }, model.sites.filter((d) => d.collapsed).map(siteBubbleEl)),
    s(
      'g',
      { class: 'nodes' },
      model.nodes.map((n) => nodeEl(n.node, n.x, n.y)),
    ),
  );
  return model;
}

/**
 * Pointer handling of the graph view: drag a device or a site bubble/title to move it, click to
 * open/toggle, Enter or Space does the same from the keyboard. Returns a function that removes it.
 */
export function graphInteractions(svg: SVGSVGElement, vp: Viewport, on: GraphHandlers): () => void {
  let drag:
    | { el: SVGGElement | SVGTextElement; key: string; start: Point; grab: Point; id: number; moved: boolean }
    | undefined;
  const target = (e: Event) =>
    (e.target as Element).closest<SVGGElement | SVGTextElement>('[data-node], [data-site]');
  const keyOf = (el: Element) =>
    el.hasAttribute('data-node')
      ? (el.getAttribute('data-node') as string)
      : `site:${el.getAttribute('data-site')}`;
  const posOf = (el: Element): Point => {
    if (el instanceof SVGTextElement) {
      const disc = el.closest('[data-site-disc]')?.querySelector('circle');
      return { x: Number(disc?.getAttribute('cx')), y: Number(disc?.getAttribute('cy')) };
    }
    const m = /translate\(([-\d.e]+) ([-\d.e]+)\)/.exec(el.getAttribute('transform') ?? '');
    return { x: Number(m?.[1] ?? 0), y: Number(m?.[2] ?? 0) };
  };
  const activate = (el: Element) => {
    if (el.hasAttribute('data-node')) on.open(el.getAttribute('data-node') as string);
    else on.toggleSite(el.getAttribute('data-site') as string);
  };
  const down = (e: PointerEvent) => {
    const el = target(e);
    if (!el || e.button !== 0) return;
    e.stopPropagation();
    drag = {
      el,
      key: keyOf(el),
      start: posOf(el),
      grab: vp.toLayout(e.clientX, e.clientY),
      id: e.pointerId,
      moved: false,
    };
    svg.setPointerCapture(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const p = vp.toLayout(e.clientX, e.clientY);
    const dx = p.x - drag.grab.x;
    const dy = p.y - drag.grab.y;
    if (!drag.moved && Math.hypot(dx, dy) * vp.scale() < 4) return;
    drag.moved = true;
    svg.classList.add('dragging');
    const moving = drag.el instanceof SVGTextElement ? drag.el.closest('[data-site-disc]') : drag.el;
    if (drag.el instanceof SVGTextElement) moving?.setAttribute('transform', `translate(${dx} ${dy})`);
    else moving?.setAttribute('transform', `translate(${drag.start.x + dx} ${drag.start.y + dy})`);
  };
  const up = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = undefined;
    svg.classList.remove('dragging');
    if (!d.moved) {
      activate(d.el);
      return;
    }
    const p = vp.toLayout(e.clientX, e.clientY);
    on.moved(d.key, { x: d.start.x + p.x - d.grab.x, y: d.start.y + p.y - d.grab.y });
  };
  const key = (e: KeyboardEvent) => {
    const el = target(e);
    if (!el || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    activate(el);
  };
  // Capture phase: the viewport's background pan must not see a press that starts a drag.
  svg.addEventListener('pointerdown', down, true);
  svg.addEventListener('pointermove', move);
  svg.addEventListener('pointerup', up);
  svg.addEventListener('keydown', key);
  return () => {
    svg.removeEventListener('pointerdown', down, true);
    svg.removeEventListener('pointermove', move);
    svg.removeEventListener('pointerup', up);
    svg.removeEventListener('keydown', key);
  };
}
