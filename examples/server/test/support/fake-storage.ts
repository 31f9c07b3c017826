import { definePlugin, type Plugin, type SampleQuery, tokens } from '@ispmonitor/core';

/**
 * A plugin that provides the given object as the monitor's sample storage: for tests that decide
 * what storage answers (and record what it was asked) without a database.
 */
export function fakeStoragePlugin(query: SampleQuery, name = 'fake-storage'): Plugin<unknown> {
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.SampleQuery, query);
    },
  });
  return plugin() as Plugin<unknown>;
}
