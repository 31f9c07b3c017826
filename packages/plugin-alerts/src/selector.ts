import { RE2JS } from 're2js';

/**
 * Metric selectors in PromQL's shape: `name{label="v", other!="x", re=~"a|b", nre!~"c.*"}`.
 * Regexes are anchored, as in Prometheus.
 */

/** One label matcher. */
export interface Matcher {
  name: string;
  type: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A parsed selector: the metric name and its label matchers. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** A matcher compiled to a predicate on one label value (missing label = ""). */
export type CompiledMatcher = { name: string; test: (value: string | undefined) => boolean };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/** Parses a selector; throws an Error saying what is wrong. */
export function parseSelector(text: string): Selector {
  const trimmed = text.trim();
  const brace = trimmed.indexOf('{');
  const metric = (brace < 0 ? trimmed : trimmed.slice(0, brace)).trim();
  if (!NAME.test(metric)) throw new Error(`bad metric name in selector "${text}"`);
  const matchers: Matcher[] = [];
  if (brace >= 0) {
    if (!trimmed.endsWith('}')) throw new Error(`selector "${text}" lacks a closing "}"`);
    const body = trimmed.slice(brace + 1, -1);
    MATCHER.lastIndex = 0;
    while (MATCHER.lastIndex < body.length && body.slice(MATCHER.lastIndex).trim()) {
      const m = MATCHER.exec(body);
      if (!m)
        throw new Error(`bad label matcher in selector "${text}" near "${body.slice(MATCHER.lastIndex)}"`);
      matchers.push({
        name: m[1] as string,
        type: m[2] as Matcher['type'],
        value: (m[3] as string).replace(/\\(.)/g, '$1'),
      });
    }
  }
  for (const m of matchers) compileMatcher(m);
  return { metric, matchers };
}

/** Compiles a matcher; an invalid regex throws, naming it. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  switch (m.type) {
    case '=':
      return { name: m.name, test: (v) => (v ?? '') === m.value };
    case '!=':
      return { name: m.name, test: (v) => (v ?? '') !== m.value };
    default: {
      // RE2 (linear time, as Prometheus and Alertmanager use): a matcher from the API is tried
      // against router-supplied label values, so a backtracking engine would be a ReDoS.
      let re: RE2JS;
      try {
        re = RE2JS.compile(m.value);
      } catch (err) {
        throw new Error(`invalid regex "${m.value}" for label ${m.name}: ${(err as Error).message}`);
      }
      const want = m.type === '=~';
      // `matches` is a whole-string match: the implicit ^…$ of Prometheus matchers.
      return { name: m.name, test: (v) => re.matches(v ?? '') === want };
    }
  }
}

/** Whether every matcher accepts the labels. */
export function matchAll(matchers: readonly CompiledMatcher[], labels: Record<string, string>): boolean {
  for (const m of matchers) if (!m.test(labels[m.name])) return false;
  return true;
}

/** A label matcher in the API's shape (Alertmanager's): a value, regex or not, equal or not. */
export interface LabelMatcherInput {
  name: string;
  value: string;
  /** Default false: the value is compared as text. */
  isRegex?: boolean;
  /** Default true; false negates the match (`!=`, `!~`). */
  isEqual?: boolean;
}

/**
 * Compiles a matcher of the API's shape to a test of one label value (a missing label is ""):
 * the same semantics as silences, routes and rules here — RE2, linear time, anchored as in
 * Prometheus — for any code that must agree with them (the server's input checks). Throws an Error
 * naming the label when the regex is not valid RE2 (RE2 has no lookaround and no backreferences).
 */
export function labelMatcher(m: LabelMatcherInput): (value: string | undefined) => boolean {
  const type: Matcher['type'] = m.isRegex
    ? m.isEqual === false
      ? '!~'
      : '=~'
    : m.isEqual === false
      ? '!='
      : '=';
  return compileMatcher({ name: m.name, type, value: m.value }).test;
}
