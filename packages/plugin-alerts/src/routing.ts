/**
 * The route tree, with Alertmanager's semantics: the root matches every alert; children are tried
 * in order and the first that matches takes the alert unless it says `continue: true`; a node
 * none of whose children match handles the alert itself. Settings are inherited down the tree.
 */
import { parseDuration } from '@ispmonitor/core';
import { compileMatchers } from './matchers.js';
import type { RouteInput } from './options.js';
import { type CompiledMatcher, matchAll } from './selector.js';

/** A compiled route node. */
export interface RouteNode {
  /** Position in the tree (`0`, `0.1`, …): part of group keys. */
  id: string;
  receiver: string;
  matchers: CompiledMatcher[];
  /** Labels to group by; `['...']` groups by all labels. */
  groupBy: string[];
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  continue: boolean;
  routes: RouteNode[];
}

const DEFAULTS = { groupWait: 30_000, groupInterval: 300_000, repeatInterval: 14_400_000 };

/** Compiles a route tree; throws naming the route for bad matchers or durations. */
export function compileRoute(input: RouteInput, parent?: RouteNode, id = '0'): RouteNode {
  const dur = (a: string | number | undefined, b: string | number | undefined, inherited: number) => {
    const v = a ?? b;
    if (v === undefined) return inherited;
    try {
      return parseDuration(v);
    } catch (err) {
      throw new Error(`route ${id}: ${(err as Error).message}`, { cause: err });
    }
  };
  const receiver = input.receiver ?? parent?.receiver;
  if (!receiver) throw new Error(`route ${id}: needs a receiver (the root route must name one)`);
  let matchers: CompiledMatcher[];
  try {
    matchers = compileMatchers(input.matchers);
  } catch (err) {
    throw new Error(`route ${id}: ${(err as Error).message}`, { cause: err });
  }
  const node: RouteNode = {
    id,
    receiver,
    matchers,
    groupBy: input.group_by ?? input.groupBy ?? parent?.groupBy ?? [],
    groupWait: dur(input.group_wait, input.groupWait, parent?.groupWait ?? DEFAULTS.groupWait),
    groupInterval: dur(
      input.group_interval,
      input.groupInterval,
      parent?.groupInterval ?? DEFAULTS.groupInterval,
    ),
    repeatInterval: dur(
      input.repeat_interval,
      input.repeatInterval,
      parent?.repeatInterval ?? DEFAULTS.repeatInterval,
    ),
    continue: input.continue ?? false,
    routes: [],
  };
  node.routes = (input.routes ?? []).map((r, i) => compileRoute(r, node, `${id}.${i}`));
  return node;
}

/** The nodes that handle an alert with these labels (several with `continue`). */
export function matchRoutes(root: RouteNode, labels: Record<string, string>): RouteNode[] {
  const out: RouteNode[] = [];
  const walk = (node: RouteNode): boolean => {
    if (!matchAll(node.matchers, labels)) return false;
    let handled = false;
    for (const child of node.routes) {
      if (walk(child)) {
        handled = true;
        if (!child.continue) break;
      }
    }
    if (!handled) out.push(node);
    return true;
  };
  walk(root);
  return out;
}

/** The group labels of an alert under a route. */
export function groupLabels(node: RouteNode, labels: Record<string, string>): Record<string, string> {
  if (node.groupBy.includes('...')) return { ...labels };
  const out: Record<string, string> = {};
  for (const k of node.groupBy) if (labels[k] !== undefined) out[k] = labels[k] as string;
  return out;
}

/** The key of a group: route, receiver and group labels. */
export function groupKey(node: RouteNode, group: Record<string, string>): string {
  const parts = Object.keys(group)
    .sort()
    .map((k) => `${k}=${JSON.stringify(group[k])}`);
  return `${node.id}:${node.receiver}:{${parts.join(',')}}`;
}
