import type { DeviceStatus } from '@ispmonitor/core';
import { type AlertLike, alertState } from '../alerts/counts.js';

/**
 * What the map shows for a device, worst first: `down` (offline), `unreachable`, `degraded`
 * (answers, but an uplink is down or an alert fires), `acknowledged` (its problems are all
 * acknowledged or silenced), `unknown` (not polled yet), `admin-down` (disabled on purpose),
 * `up`.
 */
export const NODE_STATES = [
  'down',
  'unreachable',
  'degraded',
  'acknowledged',
  'unknown',
  'admin-down',
  'up',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

const RANK = new Map<NodeState, number>(NODE_STATES.map((s, i) => [s, i]));

/** The worse of states (lower rank); `up` for none. */
export function worstState(states: Iterable<NodeState>): NodeState {
  let worst: NodeState = 'up';
  for (const s of states) if ((RANK.get(s) ?? 99) < (RANK.get(worst) ?? 99)) worst = s;
  return worst;
}

/** The facts a device's state is made of. */
export interface StateInput {
  status: DeviceStatus;
  /** `enabled: false` in the inventory. */
  enabled: boolean;
  /** Uplink interfaces that are administratively up but have no link. */
  uplinksDown: string[];
  /** Firing alerts about the device, and how many of them are acknowledged or silenced. */
  firing: number;
  handled: number;
}

/** A device's state and why, in words for the tooltip and the down list. */
export function nodeState(i: StateInput): { state: NodeState; reasons: string[] } {
  if (!i.enabled) return { state: 'admin-down', reasons: ['disabled (not polled)'] };
  const reasons: string[] = [];
  let problem: NodeState | undefined;
  if (i.status === 'offline') problem = 'down';
  else if (i.status === 'unreachable') problem = 'unreachable';
  if (i.status === 'offline' || i.status === 'unreachable')
    reasons.push(i.status === 'offline' ? 'down' : 'not answering');
  if (i.uplinksDown.length > 0) {
    problem ??= 'degraded';
    reasons.push(`uplink ${i.uplinksDown.join(', ')} down`);
  }
  if (i.firing > 0) {
    problem ??= 'degraded';
    reasons.push(
      `${i.firing} alert${i.firing === 1 ? '' : 's'} firing${i.handled ? ` (${i.handled} acknowledged or silenced)` : ''}`,
    );
  }
  // Someone owns every problem: the operator has seen it, the map says so instead of shouting.
  if (problem && i.firing > 0 && i.handled >= i.firing) return { state: 'acknowledged', reasons };
  if (problem) return { state: problem, reasons };
  if (i.status === 'unknown') return { state: 'unknown', reasons: ['not polled yet'] };
  return { state: 'up', reasons };
}

/** `alertTally`'s figure for a device: firing × HANDLED_SPAN + handled. */
export const HANDLED_SPAN = 1 << 20;

/**
 * Adds up, into `out` at each device's place (`index`), its firing alerts and how many of them
 * are acknowledged or silenced, packed in one number (firing × HANDLED_SPAN + handled). Alerts
 * of devices `index` does not know are left out. At 10,000 devices down, a map and an object per
 * device per request were a fifth of the topology's answer; this is one lookup per alert.
 */
export function alertTally(
  alerts: readonly object[],
  index: ReadonlyMap<string, number>,
  out: Float64Array,
): void {
  for (const raw of alerts) {
    const a = raw as AlertLike;
    const device = a.labels?.device;
    if (device === undefined) continue;
    const i = index.get(device);
    if (i === undefined || alertState(a) !== 'firing') continue;
    const kind = a.muted?.kind;
    const handled = a.ack || a.acknowledged || kind === 'ack' || kind === 'silence' ? 1 : 0;
    out[i] = (out[i] as number) + HANDLED_SPAN + handled;
  }
}
