import {
  createJsonLogger,
  createMonitor,
  definePlugin,
  memoryInventory,
  schemaSecretValues,
  secret,
  tokens,
} from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/** Settings whose credentials have names no key-name guess would catch. */
const settingsSchema = z
  .object({
    user: z.string(),
    phrase: secret(z.string().min(4)).optional(),
    hops: z.array(z.object({ via: z.string(), word: secret(z.string()) })).default([]),
    extra: z.record(z.string(), secret(z.string())).default({}),
  })
  .strict()
  .superRefine(() => {})
  .prefault({ user: 'x' });

describe('secrets by schema (issue 21, finding 10)', () => {
  it('finds the values of marked fields through wrappers, arrays and records', () => {
    const found = schemaSecretValues(settingsSchema, {
      user: 'visible-user',
      phrase: 'open "sesame" \\ now',
      hops: [{ via: 'a', word: 'hop-word-1' }],
      extra: { k: 'extra-value' },
    });
    expect(found.sort()).toEqual(['extra-value', 'hop-word-1', 'open "sesame" \\ now']);
    expect(schemaSecretValues(settingsSchema, 'not an object')).toEqual([]);
    expect(schemaSecretValues(settingsSchema, null)).toEqual([]);
  });

  it('redacts them from every log line, for config, stored and API devices', async () => {
    const lines: string[] = [];
    const inventory = memoryInventory();
    await inventory.put({
      id: 'stored',
      host: '127.0.0.3',
      driver: 'vault',
      vault: { user: 'u', phrase: 'stored-phrase' },
    });
    let poll = 0;
    const plugin = definePlugin({
      name: 'vault',
      version: '1.0.0',
      setup(ctx) {
        ctx.provide(tokens.Inventory, inventory);
        ctx.provide(tokens.Driver, {
          kind: 'vault',
          settings: settingsSchema,
          // A driver that quotes its settings in an error: the log must still not show them.
          poll: async (d) => {
            poll++;
            const s = (d as unknown as { vault: { phrase?: string } }).vault;
            return { samples: [], error: { code: 'X', message: `login with ${s.phrase} refused` } };
          },
        });
      },
    });
    const monitor = await createMonitor({
      plugins: [plugin()],
      logger: createJsonLogger({ level: 'debug', write: (l) => void lines.push(l) }),
      devices: [
        {
          id: 'cfg',
          host: '127.0.0.2',
          driver: 'vault',
          vault: { user: 'u', phrase: 'config-phrase' },
        } as never,
      ],
    });
    await monitor.start();
    try {
      await monitor.devices.add({
        id: 'api',
        host: '127.0.0.4',
        driver: 'vault',
        vault: { user: 'u', phrase: 'api-phrase' },
      } as never);
      for (const phrase of ['config-phrase', 'stored-phrase', 'api-phrase']) {
        monitor.logger.error(`quoted: ${phrase}`, { detail: { nested: phrase } });
      }
      await monitor.pollOnce({
        id: 'once',
        host: '127.0.0.5',
        driver: 'vault',
        vault: { user: 'u', phrase: 'once-phrase' },
      } as never);
      monitor.logger.warn('once-phrase seen');
      expect(poll).toBeGreaterThan(0);
      const text = lines.join('\n');
      for (const phrase of ['config-phrase', 'stored-phrase', 'api-phrase', 'once-phrase']) {
        expect(text, phrase).not.toContain(phrase);
      }
      expect(text).toContain('[REDACTED]');
    } finally {
      await monitor.stop();
    }
  });
});
