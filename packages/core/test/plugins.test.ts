import { createMonitor, type Driver, definePlugin, tokens } from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const noop = (name: string, extra: { requires?: string[]; core?: string } = {}) =>
  definePlugin({ name, version: '1.0.0', ...extra, setup: () => {} });

const options = { logger: createFakeLogger(), clock: new FakeClock() };

describe('plugin checks at createMonitor', () => {
  it('refuses duplicate names', async () => {
    await expect(createMonitor({ ...options, plugins: [noop('a')(), noop('a')()] })).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_DUPLICATE',
      message: 'plugin "a" is listed twice',
    });
  });

  it('refuses a missing requirement, naming both plugins', async () => {
    await expect(
      createMonitor({ ...options, plugins: [noop('alerts', { requires: ['postgres'] })()] }),
    ).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_MISSING_REQUIREMENT',
      plugin: 'alerts',
      message: expect.stringContaining('requires plugin "postgres"'),
    });
  });

  it('refuses an incompatible core version', async () => {
    await expect(
      createMonitor({ ...options, plugins: [noop('old', { core: '^2.0.0' })()] }),
    ).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_VERSION_MISMATCH',
      message: expect.stringMatching(
        /plugin "old" 1\.0\.0 needs @ispmonitor\/core \^2\.0\.0, but this is 0\.1\.0/,
      ),
    });
  });

  it('refuses invalid options, naming the plugin and the field', async () => {
    const snmpLike = definePlugin({
      name: 'snmpish',
      version: '1.0.0',
      optionsSchema: z.object({
        port: z.number().int().max(65535).default(161),
        community: z.string().optional(),
      }),
      setup: () => {},
    });
    await expect(createMonitor({ ...options, plugins: [snmpLike({ port: 70000 })] })).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_INVALID_OPTIONS',
      message: expect.stringMatching(/plugin "snmpish": invalid options: port: .*65535/),
    });
  });

  it('refuses a factory passed without calling it', async () => {
    await expect(createMonitor({ ...options, plugins: [noop('a') as never] })).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_INVALID',
    });
  });

  it('passes parsed options (with defaults) to setup, and names the plugin when setup throws', async () => {
    let seen: unknown;
    const p = definePlugin({
      name: 'p',
      version: '1.0.0',
      optionsSchema: z.object({ size: z.number().default(3) }),
      setup: (_ctx, o) => {
        seen = o;
      },
    });
    await createMonitor({ ...options, plugins: [p()] });
    expect(seen).toEqual({ size: 3 });
    const broken = definePlugin({
      name: 'broken',
      version: '1.0.0',
      setup: () => {
        throw new Error('no socket');
      },
    });
    await expect(createMonitor({ ...options, plugins: [broken()] })).rejects.toMatchObject({
      code: 'ISPM_PLUGIN_SETUP_FAILED',
      message: 'plugin "broken": setup failed: no socket',
    });
  });

  it('validates config devices with the driver schema, naming device and field', async () => {
    const driver: Driver = {
      kind: 'snmp',
      settings: z.object({ version: z.enum(['1', '2c', '3']) }),
      poll: async () => ({ samples: [] }),
    };
    const p = definePlugin({
      name: 'd',
      version: '1.0.0',
      setup: (ctx) => ctx.provide(tokens.Driver, driver),
    });
    const devices = [{ id: 'r1', host: '10.0.0.1', driver: 'snmp', snmp: { version: '4' } }];
    await expect(createMonitor({ ...options, plugins: [p()], devices })).rejects.toThrow(
      /devices\[0\]: device "r1": snmp\.version: /,
    );
    await expect(
      createMonitor({ ...options, plugins: [p()], devices: [{ id: 'r1', host: '10.0.0.1', driver: 'ssh' }] }),
    ).rejects.toThrow(/device "r1": driver: no driver "ssh" is registered \(known: snmp\)/);
  });

  it('resolves every provider of a token and the last one with resolve', async () => {
    const a = definePlugin({
      name: 'a',
      version: '1.0.0',
      setup: (ctx) => ctx.provide(tokens.Sink, { name: 'one', write: async () => {} }),
    });
    const b = definePlugin({
      name: 'b',
      version: '1.0.0',
      setup: (ctx) => ctx.provide(tokens.Sink, () => ({ name: 'two', write: async () => {} })),
    });
    const monitor = await createMonitor({ ...options, plugins: [a(), b()] });
    expect(monitor.resolveAll(tokens.Sink).map((s) => s.name)).toEqual(['one', 'two']);
    expect(monitor.resolve(tokens.Sink).name).toBe('two');
    expect(monitor.plugins).toEqual([
      { name: 'a', version: '1.0.0', provides: ['ispmonitor.Sink'] },
      { name: 'b', version: '1.0.0', provides: ['ispmonitor.Sink'] },
    ]);
    expect(() => monitor.resolve(tokens.SampleQuery)).toThrow(/nothing provides ispmonitor\.SampleQuery/);
  });
});
