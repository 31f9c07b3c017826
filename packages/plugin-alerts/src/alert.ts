/** The alert record the engine keeps, persists and shows through the API. */
import { createHash } from 'node:crypto';
import type { Labels } from '@ispmonitor/core';
import type { AlertInstance } from './events.js';

/** One alert: a rule applied to one series (or one device, for device-status rules). */
export interface AlertRecord {
  fingerprint: string;
  rule: string;
  labels: Labels;
  annotations: Labels;
  /** Evaluated state. A flapping alert may be `resolved` here while still shown as firing. */
  state: 'pending' | 'firing' | 'resolved';
  /** Whether notifiers and the bus see it as firing (true from firing until resolve is visible). */
  visible: boolean;
  value?: number;
  /** When the condition first became true (start of pending). */
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  lastTrueAt: number;
  /** Times of recent state changes (firing/resolved), for flapping detection. */
  changes: number[];
  flapping: boolean;
  /** Condition false, but kept firing by `keep_firing_for`. */
  keeping?: boolean;
  /** Id of the device the alert is about, when known. */
  device?: string;
}

/** A stable identity from labels: the first 16 hex digits of SHA-256 of the sorted pairs. */
export function fingerprint(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  const h = createHash('sha256');
  for (const k of keys) h.update(`${k}\u0000${labels[k]}\u0001`);
  return h.digest('hex').slice(0, 16);
}

/** The notifier-facing shape of a record. */
export function toInstance(a: AlertRecord, status: 'firing' | 'resolved'): AlertInstance {
  const out: AlertInstance = {
    fingerprint: a.fingerprint,
    status,
    labels: a.labels,
    annotations: a.flapping ? { ...a.annotations, flapping: 'true' } : a.annotations,
    startsAt: a.firedAt ?? a.activeAt,
  };
  if (status === 'resolved') out.endsAt = a.resolvedAt ?? a.lastTrueAt;
  if (a.value !== undefined && Number.isFinite(a.value)) out.value = a.value;
  return out;
}
