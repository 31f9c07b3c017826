/**
 * The plugin's options compiled once, at setup: rules, the route tree, receivers and their
 * notifiers, inhibition rules, config silences, durations. Everything wrong is an error here,
 * naming what is wrong (`AlertsErrors`), so that nothing fails later during evaluation.
 */
import { parseDuration } from '@ispmonitor/core';
import { alertsError } from './errors.js';
import type { Notifier } from './events.js';
import { compileMatchers } from './matchers.js';
import { receiverNotifiers } from './notifiers/index.js';
import { type AlertsOptions, type PackOptions, packSchema } from './options.js';
import { ispRulePack } from './pack.js';
import { compileRoute, type RouteNode } from './routing.js';
import { type CompiledRule, compileRule, loadRules, RuleError } from './rules.js';
import { type InhibitRule, makeSilence, type Silence } from './suppress.js';

/** Everything the plugin runs with, checked. */
export interface AlertsConfig {
  rules: CompiledRule[];
  /** Names of the rules marked `deviceDown`. */
  downRules: ReadonlySet<string>;
  route: RouteNode;
  /** The notifiers this plugin builds from its receivers (provided to the monitor). */
  notifiers: Notifier[];
  /** Notifier names each receiver sends to: its own, then those it `use`s. */
  integrations: ReadonlyMap<string, readonly string[]>;
  inhibit: InhibitRule[];
  /** Silences written in the config (ids `config-N`). */
  silences: Silence[];
  pack: PackOptions;
  evaluationInterval: number;
  syncInterval: number;
  delivery: { minBackoff: number; maxBackoff: number; giveUpAfter: number };
  engine: {
    capacity: number;
    flapping: { threshold: number; window: number; quiet: number };
    staleMs: number;
    recentLimit: number;
  };
}

/** Runs `fn`; anything it throws becomes a CONFIG_INVALID error prefixed with `where`. */
function checked<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleError) throw err;
    throw alertsError('CONFIG_INVALID', `${where}${(err as Error).message}`, err);
  }
}

async function compileRules(o: AlertsOptions): Promise<CompiledRule[]> {
  const rules = await loadRules(o.rules, o.ruleFiles);
  if (o.pack.isp) {
    const pack = packSchema.parse(o.pack.isp === true ? {} : o.pack.isp);
    for (const [i, r] of ispRulePack(pack).entries()) rules.push(compileRule(r, `pack.isp[${i}]`));
  }
  return rules;
}

function compileRoutes(o: AlertsOptions): RouteNode {
  const route = compileRoute(o.route ?? o.routes ?? { receiver: o.receivers[0]?.name ?? 'default' });
  // Without receivers nor routes nothing is notified: the default route may name no receiver.
  if (o.receivers.length === 0 && !o.route && !o.routes) return route;
  const names = new Set(o.receivers.map((r) => r.name));
  const check = (n: RouteNode): void => {
    if (!names.has(n.receiver))
      throw new Error(`route ${n.id} names receiver "${n.receiver}", which is not in receivers`);
    n.routes.forEach(check);
  };
  check(route);
  return route;
}

/** Compiles the options; rejects with a MonitorError (`AlertsErrors`) naming what is wrong. */
export async function compileConfig(o: AlertsOptions, now: () => number): Promise<AlertsConfig> {
  let rules: CompiledRule[];
  try {
    rules = await compileRules(o);
  } catch (err) {
    if (err instanceof RuleError) throw err;
    throw alertsError('RULE_INVALID', (err as Error).message, err);
  }
  const route = checked('', () => compileRoutes(o));
  const notifiers: Notifier[] = [];
  const integrations = new Map<string, string[]>();
  checked('receivers: ', () => {
    for (const r of o.receivers) {
      const own = receiverNotifiers(r, now);
      notifiers.push(...own);
      integrations.set(r.name, [...own.map((n) => n.name), ...r.use]);
    }
  });
  const inhibit = checked('inhibitRules: ', () =>
    o.inhibitRules.map((r) => ({
      source: compileMatchers(r.source),
      target: compileMatchers(r.target),
      equal: r.equal,
    })),
  );
  const silences = checked('silences: ', () =>
    o.silences.map((s, i) => makeSilence({ ...s, id: `config-${i}` }, now())),
  );
  const duration = (where: string, v: string | number) => checked(`${where}: `, () => parseDuration(v));
  return {
    rules,
    downRules: new Set(rules.filter((r) => r.deviceDown).map((r) => r.name)),
    route,
    notifiers,
    integrations,
    inhibit,
    silences,
    pack: packSchema.parse(typeof o.pack.isp === 'object' ? o.pack.isp : {}),
    evaluationInterval: duration('evaluationInterval', o.evaluationInterval),
    syncInterval: duration('syncInterval', o.syncInterval),
    delivery: {
      minBackoff: duration('delivery.minBackoff', o.delivery.minBackoff),
      maxBackoff: duration('delivery.maxBackoff', o.delivery.maxBackoff),
      giveUpAfter: duration('delivery.giveUpAfter', o.delivery.giveUpAfter),
    },
    engine: {
      capacity: o.seriesCapacity,
      flapping: {
        threshold: o.flapping.threshold,
        window: duration('flapping.window', o.flapping.window),
        quiet: duration('flapping.quiet', o.flapping.quiet),
      },
      staleMs: Math.max(parseDuration('10m'), ...rules.map((r) => r.window)),
      recentLimit: o.recentResolved,
    },
  };
}

/**
 * Receivers that name a notifier no plugin provides, one message each (empty when all is well).
 * `known` are the names of every notifier the monitor has.
 */
export function unknownNotifiers(config: AlertsConfig, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [receiver, names] of config.integrations) {
    for (const n of names) {
      if (known.has(n)) continue;
      const list = [...known].sort().join(', ') || 'none';
      problems.push(
        `alerts: receiver "${receiver}" uses notifier "${n}", which no plugin provides (known: ${list})`,
      );
    }
  }
  return problems;
}
