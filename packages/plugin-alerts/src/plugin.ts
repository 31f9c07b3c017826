/**
 * The alerts plugin: compiles its configuration at setup (every mistake is an error naming it,
 * see config.ts) and wires the service (service.ts) to the monitor: its notifiers, API, checks,
 * health, events and lifecycle. The runtime — one process or replicas — is chosen once, at start,
 * when every plugin's providers are known (a cluster or storage plugin may be listed after this one).
 */
import { definePlugin, describeError, tokens } from '@ispmonitor/core';
import { alertsApi, alertsChecks } from './api.js';
import { compileConfig } from './config.js';
import { NotifierToken } from './events.js';
import { optionsSchema } from './options.js';
import { AlertsService } from './service.js';
import { VERSION } from './version.js';

/** `alerts(options)`: rule evaluation, routing, silences, inhibition and notifiers. */
export const alerts = definePlugin({
  name: 'alerts',
  version: VERSION,
  optionsSchema,
  async setup(ctx, options) {
    const config = await compileConfig(options, () => ctx.clock.now());
    const service = new AlertsService(ctx, config);
    for (const n of config.notifiers) ctx.provide(NotifierToken, n);
    ctx.provide(alertsApi, service.api());
    ctx.provide(alertsChecks, { problems: () => service.problems(ctx.resolveAll(NotifierToken)) });
    ctx.health({ name: 'delivery', critical: false, check: () => service.health() });

    ctx.bus.on('samples', (e) => service.samples(e.device.id, e.samples));
    ctx.bus.on('poll:failure', (e) => service.pollResult(e.device.id, e.error));
    ctx.bus.on('poll:success', (e) => service.pollResult(e.device.id));
    ctx.bus.on('device:status', (e) =>
      service.deviceStatus(e.device.id, e.device.labels, e.status, e.reason),
    );
    ctx.bus.on('monitor:overloaded', (e) =>
      // Each replica raises its own alert: its name keeps two replicas' alerts apart.
      service.monitorState(e.overloaded, e.reason, ctx.resolveAll(tokens.Ownership).at(-1)?.replica),
    );

    ctx.onStart(() =>
      service.start({
        store: ctx.resolveAll(tokens.StateStore).at(-1),
        notifiers: ctx.resolveAll(NotifierToken),
        leadership: ctx.resolveAll(tokens.Leadership).at(-1),
        ownership: ctx.resolveAll(tokens.Ownership).at(-1),
      }),
    );
    ctx.onStop(async () => {
      await service.stop();
      // The notifiers this plugin made are its own to close; other plugins close theirs.
      for (const n of config.notifiers) {
        try {
          await n.close?.();
        } catch (err) {
          ctx.logger.error('notifier close failed', { name: n.name, error: describeError(err) });
        }
      }
    });
  },
});
