/**
 * Rules: validated and compiled once, at load. Anything wrong with a rule — a bad selector, an
 * unknown function, a template that does not compile — is a RuleError naming the rule and the
 * file (with its line) it came from, so a bad rule can never fail later during evaluation.
 */
import { readFile } from 'node:fs/promises';
import { formatIssues, MonitorError, parseDuration } from '@ispmonitor/core';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

import { AlertsErrors } from './errors.js';
import { compileMatchers } from './matchers.js';
import { type RuleInput, ruleSchema } from './options.js';
import { type CompiledMatcher, compileMatcher, parseSelector } from './selector.js';
import type { WindowFn } from './series.js';
import { compileTemplate, type Template } from './template.js';

/** A rule ready to evaluate. */
export interface CompiledRule {
  name: string;
  kind: 'metric' | 'device_status' | 'monitor';
  metric: string;
  /** The selector's matchers and the rule's `matchers` (series labels, or a device's labels). */
  matchers: CompiledMatcher[];
  fn: WindowFn;
  window: number;
  scale: number;
  per: string | undefined;
  /** True when `value` breaches the threshold. */
  breach: (value: number) => boolean;
  /** True when a firing alert may stay firing (hysteresis: uses the resolve threshold). */
  holds: (value: number) => boolean;
  threshold: number;
  statuses: ReadonlySet<string>;
  forMs: number;
  keepFiringForMs: number;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, Template>;
  deviceDown: boolean;
  uplinksOnly: boolean;
  /** Where it came from, for errors: `code` or `file.yaml:12`. */
  origin: string;
}

/** A rule that cannot load (`ISPM_ALERTS_RULE_INVALID`); the message names the rule and where it came from. */
export class RuleError extends MonitorError {
  override readonly name: string = 'RuleError';
  constructor(message: string, options?: { cause?: unknown }) {
    const spec = AlertsErrors.RULE_INVALID;
    super(spec.code, message, { plugin: 'alerts', status: spec.status, cause: options?.cause });
  }
}

/** Options that only some kinds of rule read; any other kind refuses them. */
const ONLY: Record<string, ReadonlyArray<CompiledRule['kind']>> = {
  metric: ['metric'],
  fn: ['metric'],
  window: ['metric'],
  scale: ['metric'],
  per: ['metric'],
  op: ['metric'],
  threshold: ['metric'],
  resolveThreshold: ['metric'],
  resolve_threshold: ['metric'],
  uplinksOnly: ['metric'],
  status: ['device_status'],
  matchers: ['metric', 'device_status'],
  deviceDown: ['metric', 'device_status'],
};

/** The options given (not undefined) that a rule of this kind would ignore. */
function ignoredOptions(kind: CompiledRule['kind'], raw: Record<string, unknown>): string[] {
  return Object.keys(raw)
    .filter((k) => raw[k] !== undefined && ONLY[k] && !ONLY[k].includes(kind))
    .sort();
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/** Compiles one rule; `origin` says where it came from (for the error message). */
export function compileRule(input: unknown, origin: string): CompiledRule {
  const raw = (input ?? {}) as Record<string, unknown>;
  const label =
    typeof raw.name === 'string' ? raw.name : typeof raw.alert === 'string' ? raw.alert : '(unnamed)';
  const fail = (why: string, cause?: unknown): never => {
    throw new RuleError(
      `alert rule "${label}" (${origin}): ${why}`,
      cause === undefined ? undefined : { cause },
    );
  };
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) return fail(formatIssues(parsed.error.issues));
  const r = parsed.data;
  const name = r.name ?? r.alert;
  if (!name) return fail('needs a name (or alert)');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('name must be letters, digits and _');
  const ignored = ignoredOptions(r.kind, raw);
  if (ignored.length > 0) {
    const list = ignored.map((k) => `"${k}"`).join(', ');
    fail(
      `${list} ${ignored.length === 1 ? 'does' : 'do'} not apply to a ${r.kind} rule` +
        (r.kind === 'device_status' && ignored.includes('metric')
          ? ' (scope it to devices with matchers, e.g. matchers: \'{site="north"}\')'
          : ''),
    );
  }
  let metric = '';
  let matchers: CompiledMatcher[] = [];
  try {
    if (r.kind === 'metric') {
      if (!r.metric) return fail('needs a metric selector');
      const sel = parseSelector(r.metric);
      metric = sel.metric;
      matchers = sel.matchers.map(compileMatcher);
    }
    matchers.push(...compileMatchers(r.matchers));
  } catch (err) {
    fail(`${(err as Error).message}`, err);
  }
  const dur = (v: unknown, field: string): number => {
    if (v === undefined) return 0;
    try {
      return parseDuration(v as string);
    } catch (err) {
      return fail(`${field}: ${(err as Error).message}`, err);
    }
  };
  const compare = COMPARE[r.op] as (a: number, b: number) => boolean;
  const threshold = r.threshold;
  const resolveAt = r.resolveThreshold ?? r.resolve_threshold;
  if (resolveAt !== undefined && (r.op === '==' || r.op === '!='))
    fail('resolveThreshold needs <, <=, > or >=');
  if (resolveAt !== undefined && (r.op[0] === '>' ? resolveAt > threshold : resolveAt < threshold)) {
    fail(`resolveThreshold ${resolveAt} must lie on the healthy side of threshold ${threshold}`);
  }
  const annotations: Record<string, Template> = {};
  for (const [key, text] of Object.entries(r.annotations)) {
    try {
      annotations[key] = compileTemplate(text);
    } catch (err) {
      fail(`annotation ${key}: ${(err as Error).message}`, err);
    }
  }
  for (const [key, value] of Object.entries(r.labels)) {
    if (value.includes('{{'))
      fail(`label ${key}: labels are not templates (they give the alert its identity)`);
  }
  return {
    name,
    kind: r.kind,
    metric,
    matchers,
    fn: r.fn,
    window: dur(r.window, 'window'),
    scale: r.scale,
    per: r.per,
    breach: (v) => compare(v, threshold),
    holds: resolveAt === undefined ? (v) => compare(v, threshold) : (v) => compare(v, resolveAt),
    threshold,
    statuses: new Set(r.status ?? ['unreachable', 'offline']),
    forMs: dur(r.for, 'for'),
    keepFiringForMs: dur(r.keepFiringFor ?? r.keep_firing_for, 'keepFiringFor'),
    severity: r.severity,
    labels: r.labels,
    annotations,
    deviceDown: r.deviceDown,
    uplinksOnly: r.uplinksOnly,
    origin,
  };
}

/**
 * Reads a YAML rule file: either `rules: [...]` or Prometheus-style `groups: [{ name, rules }]`.
 * Errors name the file, the line and the rule.
 */
export async function loadRuleFile(path: string): Promise<CompiledRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RuleError(`cannot read rule file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new RuleError(`rule file ${path}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
  }
  const items: Node[] = [];
  const root = doc.contents;
  const collect = (seq: unknown, where: string) => {
    if (!isSeq(seq)) throw new RuleError(`rule file ${path}: ${where} must be a list`);
    for (const item of seq.items) items.push(item as Node);
  };
  if (!isMap(root)) throw new RuleError(`rule file ${path}: expected a map with "rules" or "groups"`);
  if (root.has('rules')) collect(root.get('rules', true), 'rules');
  if (root.has('groups')) {
    const groups = root.get('groups', true);
    if (!isSeq(groups)) throw new RuleError(`rule file ${path}: groups must be a list`);
    for (const g of groups.items) {
      if (!isMap(g)) throw new RuleError(`rule file ${path}: each group must be a map`);
      collect(g.get('rules', true), "a group's rules");
    }
  }
  return items.map((node) => {
    const line = node.range ? lines.linePos(node.range[0]).line : 0;
    return compileRule((node as { toJSON(): unknown }).toJSON(), `${path}:${line}`);
  });
}

/** Compiles rules from code and files; names must be unique per (name, labels) is not required. */
export async function loadRules(inline: RuleInput[], files: string[]): Promise<CompiledRule[]> {
  const out = inline.map((r, i) => compileRule(r, `rules[${i}]`));
  for (const f of files) out.push(...(await loadRuleFile(f)));
  return out;
}
