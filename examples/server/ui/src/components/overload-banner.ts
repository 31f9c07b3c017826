import '../styles/shell.css';
import { h } from '../lib/dom.js';

/** The monitor's overload state, as the event stream forwards core's `monitor:overloaded`. */
export interface OverloadState {
  overloaded: boolean;
  /** Largest event-loop lag seen recently, ms. */
  lagMs?: number;
  /** Polls due but not started. */
  backlog?: number;
  /** What crossed its threshold. */
  reason?: string;
  /** When the state changed, ms since the epoch. */
  ts?: number;
}

/** The banner's text for a state: what it means for what the operator sees, then the cause. */
export function overloadText(s: OverloadState): string {
  const parts = [
    'The monitor is overloaded: some polls are being skipped, so statuses and charts may lag or have gaps.',
  ];
  if (s.reason) parts.push(`Cause: ${s.reason}.`);
  const figures = [
    typeof s.lagMs === 'number' ? `event-loop lag ${Math.round(s.lagMs)} ms` : '',
    typeof s.backlog === 'number' ? `${s.backlog} polls waiting` : '',
  ].filter(Boolean);
  if (figures.length) parts.push(`(${figures.join(', ')})`);
  return parts.join(' ');
}

/**
 * A banner across the top of every page while the monitor is overloaded: loud (an alert role, so
 * screen readers announce it), hidden again when the state ends. `update` takes each event.
 */
export function overloadBanner(): { el: HTMLElement; update(s: OverloadState): void } {
  const text = h('span', null, '');
  const el = h(
    'div',
    { class: 'overload-banner', role: 'alert', hidden: true, 'data-testid': 'overload-banner' },
    h('strong', null, 'Overloaded'),
    text,
  );
  return {
    el,
    update(s) {
      el.hidden = !s.overloaded;
      text.textContent = s.overloaded ? overloadText(s) : '';
    },
  };
}
