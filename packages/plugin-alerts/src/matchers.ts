/** Label matchers as written in routes, silences and inhibition rules. */
import { type CompiledMatcher, compileMatcher, type Matcher, parseSelector } from './selector.js';

/** Matchers given as a list of `{name, value, type}` or as a string `{a="b", c=~"d|e"}`. */
export type MatchersInput = string | Array<{ name: string; value: string; type?: Matcher['type'] }>;

/** Normalises matchers to a list; throws naming the bad matcher. */
export function parseMatchers(input: MatchersInput | undefined): Matcher[] {
  if (input === undefined) return [];
  if (typeof input === 'string') {
    const text = input.trim();
    return text ? parseSelector(`m${text.startsWith('{') ? text : `{${text}}`}`).matchers : [];
  }
  return input.map((m) => ({ name: m.name, value: m.value, type: m.type ?? '=' }));
}

/** Parses and compiles matchers. */
export function compileMatchers(input: MatchersInput | undefined): CompiledMatcher[] {
  return parseMatchers(input).map(compileMatcher);
}
