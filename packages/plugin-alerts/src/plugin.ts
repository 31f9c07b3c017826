/**
 * The alerts plugin: wires rules, engine, suppression, grouping and delivery to the monitor.
 * Everything that can be wrong in the configuration (a rule, a template, a route, a receiver) is
 * found in `setup`, with an error naming it; nothing fails later during evaluation.
 */
import {
  type DeviceOwnership,
  type DeviceRegistry,
  definePlugin,
  describeError,
  type Leadership,
  monitorError,
  type Notifier,
  parseDuration,
  type StateStore,
  tokens,
} from '@ispmonitor/core';
import { type AlertRecord, toInstance } from './alert.js';
import { alertsApi, createApi } from './api.js';
import { ClusterAlerts, type LeaderDispatch } from './cluster.js';
import { Delivery } from './delivery.js';
import { Dispatcher } from './dispatcher.js';
import { AlertEngine } from './engine.js';
import { compileMatchers } from './matchers.js';
import { createMetrics } from './metrics.js';
import { receiverNotifiers } from './notifiers/index.js';
import { type AlertsOptions, optionsSchema, packSchema } from './options.js';
import { ispRulePack, uplinkTest } from './pack.js';
import { memoryStateStore, NS, StateWriter } from './persist.js';
import { compileRoute } from './routing.js';
import { type CompiledRule, compileRule, loadRules, RuleError } from './rules.js';
import { type Ack, makeSilence, type Silence, Suppressor } from './suppress.js';
import { VERSION } from './version.js';

const PLUGIN = 'alerts';

function configError(what: string, err: unknown): never {
  const code = err instanceof RuleError ? err.code : 'ISPM_ALERTS_CONFIG_INVALID';
  throw monitorError(code, `${what}${(err as Error).message}`, { plugin: PLUGIN, cause: err });
}

async function compileAll(o: AlertsOptions): Promise<CompiledRule[]> {
  try {
    const rules = await loadRules(o.rules, o.ruleFiles);
    if (o.pack.isp) {
      const pack = packSchema.parse(o.pack.isp === true ? {} : o.pack.isp);
      for (const [i, r] of ispRulePack(pack).entries()) rules.push(compileRule(r, `pack.isp[${i}]`));
    }
    return rules;
  } catch (err) {
    return configError('', err);
  }
}

/** `alerts(options)`: rule evaluation, routing, silences, inhibition and notifiers. */
export const alerts = definePlugin({
  name: PLUGIN,
  version: VERSION,
  optionsSchema,
  async setup(ctx, o) {
    const { clock, logger } = ctx;
    const rules = await compileAll(o);
    const receivers = new Map(o.receivers.map((r) => [r.name, r]));
    let route: ReturnType<typeof compileRoute>;
    try {
      route = compileRoute(o.route ?? o.routes ?? { receiver: o.receivers[0]?.name ?? 'default' });
      const check = (n: typeof route): void => {
        if (!receivers.has(n.receiver))
          throw new Error(`route ${n.id} names receiver "${n.receiver}", which is not in receivers`);
        n.routes.forEach(check);
      };
      if (o.receivers.length > 0 || o.route || o.routes) check(route);
    } catch (err) {
      return configError('', err);
    }
    const own: Notifier[] = [];
    const integrations = new Map<string, string[]>();
    try {
      for (const r of o.receivers) {
        const list = receiverNotifiers(r, () => clock.now());
        own.push(...list);
        integrations.set(r.name, [...list.map((n) => n.name), ...r.use]);
      }
    } catch (err) {
      return configError('receivers: ', err);
    }
    for (const n of own) ctx.provide(tokens.Notifier, n);
    let inhibit: ConstructorParameters<typeof Suppressor>[0];
    try {
      inhibit = o.inhibitRules.map((r) => ({
        source: compileMatchers(r.source),
        target: compileMatchers(r.target),
        equal: r.equal,
      }));
    } catch (err) {
      return configError('inhibitRules: ', err);
    }
    const pack = packSchema.parse(typeof o.pack.isp === 'object' ? o.pack.isp : {});
    let devices: DeviceRegistry | undefined;
    try {
      devices = ctx.devices;
    } catch {
      devices = undefined;
    }
    const downRules = new Set(rules.filter((r) => r.deviceDown).map((r) => r.name));
    const firingDown = new Set<string>();
    // Set at start when a cluster plugin provides Leadership: alerts then run across replicas.
    let cluster: ClusterAlerts | undefined;
    const suppressor = new Suppressor(
      inhibit,
      () => (cluster ? cluster.registry() : devices),
      (id) => (cluster ? cluster.deviceDown(id) : firingDown.has(id)),
    );
    const configSilences: Silence[] = [];
    try {
      for (const [i, s] of o.silences.entries()) {
        configSilences.push(makeSilence({ ...s, id: `config-${i}` }, clock.now()));
      }
    } catch (err) {
      return configError('silences: ', err);
    }

    // Chosen at start: a storage plugin listed after this one may provide the store.
    let writer = new StateWriter(memoryStateStore(), logger);
    let engine: AlertEngine;
    let notifierMap = new Map<string, Notifier>();
    const metrics = createMetrics(ctx.metrics, () => {
      const by: Record<string, number> = {};
      for (const a of engine.active.values())
        if (a.visible) by[a.labels.severity ?? 'none'] = (by[a.labels.severity ?? 'none'] ?? 0) + 1;
      return by;
    });
    const newDispatch = (cl?: { leadership: Leadership; cluster: ClusterAlerts }) => {
      const delivery = new Delivery({
        clock,
        bus: ctx.bus,
        logger,
        get writer() {
          return writer;
        },
        metrics,
        notifiers: () => notifierMap,
        minBackoff: parseDuration(o.delivery.minBackoff),
        maxBackoff: parseDuration(o.delivery.maxBackoff),
        giveUpAfter: parseDuration(o.delivery.giveUpAfter),
        // Across replicas: written before sending, and sent only while still the leader.
        persistFirst: cl !== undefined,
        ...(cl ? { gate: () => cl.leadership.isLeader() } : {}),
      });
      const dispatcher = new Dispatcher({
        clock,
        route,
        integrations: (r) => integrations.get(r) ?? [],
        suppressor,
        delivery,
        get writer() {
          return writer;
        },
        firing: () => (cl ? cl.cluster.firing() : engine.active.values()),
        version: () => (cl ? cl.cluster.version() : engine.version),
      });
      return { delivery, dispatcher };
    };
    // The delivery and dispatcher of this process (single process), or of its current term as leader.
    let { delivery, dispatcher } = newDispatch();
    engine = new AlertEngine(
      rules,
      {
        clock,
        capacity: o.seriesCapacity,
        flapping: {
          threshold: o.flapping.threshold,
          window: parseDuration(o.flapping.window),
          quiet: parseDuration(o.flapping.quiet),
        },
        staleMs: Math.max(parseDuration('10m'), ...rules.map((r) => r.window)),
        recentLimit: o.recentResolved,
      },
      {
        onVisible(a: AlertRecord, status) {
          if (downRules.has(a.rule) && a.device) {
            if (status === 'firing') firingDown.add(a.device);
            else firingDown.delete(a.device);
          }
          const instance = { alert: toInstance(a, status), labels: a.labels };
          ctx.bus.emit(status === 'firing' ? 'alert:firing' : 'alert:resolved', instance);
          // Across replicas the leader's dispatcher reads every replica's alerts from the store.
          if (!cluster) dispatcher.update(a, status);
        },
        onPersist: (fp, rec) => writer.put(NS.alerts, fp, rec),
        isUplink: uplinkTest(pack, (id) => devices?.get(id)?.device.labels),
      },
    );

    let running = false;
    const lastError = new Map<string, string>();
    ctx.bus.on('samples', (e) => {
      if (!running) return;
      if (cluster) cluster.accept(e.device.id, () => engine.ingest(e.samples));
      else engine.ingest(e.samples);
    });
    ctx.bus.on('poll:failure', (e) => {
      // Only the code and message: never anything that could carry credentials.
      lastError.set(e.device.id, `${e.error.code}: ${e.error.message}`.slice(0, 200));
    });
    ctx.bus.on('poll:success', (e) => {
      lastError.delete(e.device.id);
    });
    ctx.bus.on('device:status', (e) => {
      if (!running) return;
      const notes: Record<string, string> = { status: e.status };
      if (e.reason) notes.reason = e.reason;
      const err = lastError.get(e.device.id);
      if (err && e.status !== 'online') notes.error = err;
      const labels = { ...(e.device.labels ?? {}) };
      const evaluate = () => engine.deviceStatus(e.device.id, labels, e.status, notes);
      if (cluster) cluster.accept(e.device.id, evaluate);
      else evaluate();
    });

    ctx.bus.on('monitor:overloaded', (e) => {
      if (!running) return;
      // Each replica raises its own alert: its name keeps two replicas' alerts apart.
      const replica = (ctx.resolveAll(tokens.Ownership) as DeviceOwnership[]).at(-1)?.replica;
      const notes: Record<string, string> = e.overloaded ? { reason: e.reason } : {};
      engine.monitorState(e.overloaded, replica ? { replica } : {}, notes);
    });

    const putAck = (ack: Ack | undefined, fp: string) => {
      if (ack) suppressor.acks.set(fp, ack);
      else suppressor.acks.delete(fp);
      cluster?.localEdit();
      writer.put(NS.acks, fp, ack);
    };
    ctx.provide(
      alertsApi,
      createApi({
        now: () => clock.now(),
        active: () => (cluster ? cluster.all() : engine.active.values()),
        recent: () => engine.recent,
        mute: (a) => suppressor.muted(a, cluster ? cluster.all() : engine.active.values(), clock.now()),
        acks: suppressor.acks,
        putAck,
        silences: suppressor.silences,
        makeSilence: (input) => makeSilence(input, clock.now()),
        putSilence: (s) => {
          suppressor.putSilence(s);
          cluster?.localEdit();
          if (!s.id.startsWith('config-')) writer.put(NS.silences, s.id, s);
        },
        deleteSilence: (id) => {
          suppressor.deleteSilence(id);
          cluster?.localEdit();
          writer.put(NS.silences, id, undefined);
        },
      }),
    );
    ctx.health({
      name: 'delivery',
      critical: false,
      check: () => {
        const details = { backlog: delivery.backlog, active: engine.active.size };
        const failing = [...delivery.failing.keys()];
        if (failing.length > 0) {
          return { status: 'warn', message: `notifications failing: ${failing.join(', ')}`, details };
        }
        if (writer.failures > 0) {
          return { status: 'warn', message: `${writer.failures} alert state writes failed`, details };
        }
        return { status: 'pass', details };
      },
    });

    let tick: unknown;
    const interval = parseDuration(o.evaluationInterval);
    const loop = () => {
      try {
        cluster?.sweep();
        engine.tick();
      } catch (err) {
        logger.error('alert evaluation tick failed', describeError(err));
      }
      tick = clock.setTimeout(loop, interval);
    };
    ctx.onStart(async () => {
      const stores = ctx.resolveAll(tokens.StateStore) as StateStore[];
      const store = stores.at(-1);
      if (store) writer = new StateWriter(store, logger);
      else logger.info('no StateStore provided: alert state is kept in memory only');
      notifierMap = new Map(ctx.resolveAll(tokens.Notifier).map((n) => [n.name, n]));
      for (const [receiver, names] of integrations) {
        for (const n of names)
          if (!notifierMap.has(n))
            logger.warn('receiver uses an unknown notifier', { receiver, notifier: n });
      }
      for (const s of configSilences) suppressor.putSilence(s);
      for (const { value } of await writer.store.list<Silence>(NS.silences)) suppressor.putSilence(value);
      for (const { key, value } of await writer.store.list<Ack>(NS.acks)) suppressor.acks.set(key, value);
      const leadership = (ctx.resolveAll(tokens.Leadership) as Leadership[]).at(-1);
      if (leadership) {
        if (!store)
          logger.warn('replicas without a shared StateStore: each replica keeps its own alert state');
        cluster = startCluster(leadership);
      } else await startSingle();
      running = true;
      tick = clock.setTimeout(loop, interval);
    });
    /** One process: the engine's alerts go straight to this process's dispatcher. */
    const startSingle = async () => {
      await dispatcher.load();
      const saved = await writer.store.list<AlertRecord>(NS.alerts);
      engine.restore(saved.map((s) => s.value));
      for (const a of engine.active.values()) {
        if (!a.visible) continue;
        if (downRules.has(a.rule) && a.device) firingDown.add(a.device);
        dispatcher.update(a, 'firing');
      }
      await delivery.resume();
    };
    /** Replicas: each evaluates its own devices; the leader notifies (see cluster.ts). */
    const startCluster = (leadership: Leadership) => {
      const c: ClusterAlerts = new ClusterAlerts({
        clock,
        logger,
        leadership,
        ownership: (ctx.resolveAll(tokens.Ownership) as DeviceOwnership[]).at(-1),
        devices: () => devices,
        writer: () => writer,
        engine,
        suppressor,
        downRules,
        interval: parseDuration(o.syncInterval),
        async startDispatch(): Promise<LeaderDispatch> {
          const term = newDispatch({ leadership, cluster: c });
          ({ delivery, dispatcher } = term);
          await term.dispatcher.load();
          await term.delivery.resume();
          return {
            dispatcher: term.dispatcher,
            stop() {
              term.dispatcher.stop();
              term.delivery.stop();
              // Idle ones, so that health no longer reports this term's backlog.
              if (delivery === term.delivery) ({ delivery, dispatcher } = newDispatch());
            },
          };
        },
      });
      c.start();
      return c;
    };
    ctx.onStop(async () => {
      running = false;
      if (tick !== undefined) clock.clearTimeout(tick);
      await cluster?.stop();
      dispatcher.stop();
      delivery.stop();
      await writer.flush();
    });
  },
});
