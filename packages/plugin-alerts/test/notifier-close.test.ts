/**
 * Who closes a notifier: the plugin that made it, once, in its stop hook. The alerts plugin closes
 * the notifiers its receivers define; a notifier another plugin provides is that plugin's to close
 * (core closes none).
 */
import { createMonitor, definePlugin } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { alerts, type Notifier, NotifierToken } from '../src/index.js';

describe('notifiers at monitor stop', () => {
  it("the alerts plugin closes its own notifiers exactly once and leaves other plugins' alone", async () => {
    const closes = { own: 0, other: 0 };
    const other: Notifier = {
      name: 'pager',
      send: async () => ({ ok: true }),
      close: async () => {
        closes.other += 1;
      },
    };
    const pager = definePlugin({
      name: 'pager',
      version: '0.0.0',
      setup(ctx) {
        ctx.provide(NotifierToken, other);
      },
    });
    const monitor = await createMonitor({
      plugins: [
        alerts({
          receivers: [
            {
              name: 'noc',
              webhook: [{ name: 'hook', url: 'http://127.0.0.1:20200/', allowLoopback: true }],
              use: ['pager'],
            },
          ],
          route: { receiver: 'noc' },
        }),
        pager(),
      ],
      clock: new FakeClock(),
      logger: createFakeLogger(),
    });
    const own = monitor.resolveAll(NotifierToken).find((n) => n.name === 'hook');
    expect(own).toBeDefined();
    if (own)
      own.close = async () => {
        closes.own += 1;
      };
    await monitor.start();
    await monitor.stop();
    expect(closes).toEqual({ own: 1, other: 0 });
  });
});
