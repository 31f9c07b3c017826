/** Small helpers shared by this package's tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device, PollResult, Sample } from '@ispmonitor/core';
import { createFakeLogger, pollDriver } from '@ispmonitor/core/testing';
import type { SnmpDriver } from '../../src/index.js';

/** Polls `device` (its settings parsed as core would) with a signal that aborts after `timeoutMs`. */
export async function pollWith(driver: SnmpDriver, device: Device, timeoutMs = 20_000): Promise<PollResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  return pollDriver(driver, device, { signal, logger: createFakeLogger() });
}

/** The one sample of `name` whose labels include `labels`; fails when there is not exactly one. */
export function sample(result: PollResult, name: string, labels: Record<string, string> = {}): Sample {
  const found = result.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return found[0] as Sample;
}

/** Samples of a name. */
export function samplesOf(result: PollResult, name: string): Sample[] {
  return result.samples.filter((s) => s.name === name);
}

/** Parses an snmprec recording into OID → { tag, value } (values as written in the file). */
export function readRecording(dir: string, name: string): Map<string, { tag: string; value: string }> {
  const out = new Map<string, { tag: string; value: string }>();
  for (const line of readFileSync(join(dir, `${name}.snmprec`), 'utf8').split('\n')) {
    const [oid, tag, ...rest] = line.split('|');
    if (oid && tag) out.set(oid, { tag, value: rest.join('|') });
  }
  return out;
}
