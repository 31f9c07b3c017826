import { definePlugin, tokens } from '@ispmonitor/core';
import { pluginChecks } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';

const noop = definePlugin({ name: 'noop', version: '1.0.0', setup: () => {} });
/** Provides a driver that says every device is fine, whatever happens: it hides failures. */
const liar = definePlugin({
  name: 'liar',
  version: '1.0.0',
  setup: (ctx) => ctx.provide(tokens.Driver, { kind: 'liar', poll: async () => ({ samples: [] }) }),
});

describe('the shared plugin suite', () => {
  it('fails a plugin that does nothing', async () => {
    const options = {
      plugin: () => noop(),
      failures: [{ name: 'down', device: () => ({ id: 'x', host: '127.0.0.1', driver: 'noop' }) }],
    };
    await expect(pluginChecks.providesSomething(options)).rejects.toThrow(/provided no driver/);
    await expect(pluginChecks.failureContained(options, options.failures[0]!)).rejects.toThrow(
      /no driver "noop"/,
    );
  });

  it('fails a driver that hides its peer failing', async () => {
    const options = {
      plugin: () => liar(),
      timeoutMs: 300,
      failures: [{ name: 'down', device: () => ({ id: 'x', host: '127.0.0.1', driver: 'liar' }) }],
    };
    await expect(pluginChecks.failureContained(options, options.failures[0]!)).rejects.toThrow(
      /timed out .* "down" to be reported/,
    );
  }, 20_000);
});
