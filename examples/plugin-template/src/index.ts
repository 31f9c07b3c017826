import { definePlugin, tokens } from '@ispmonitor/core';
import { NotifierToken } from '@ispmonitor/plugin-alerts';
import { z } from 'zod';
import { chatNotifier } from './chat-notifier.js';
import { ndjsonSink } from './ndjson-sink.js';
import { reachabilityDriver } from './reachability-driver.js';

export { chatNotifier, chatText } from './chat-notifier.js';
export { ndjsonSink } from './ndjson-sink.js';
export { reachabilityDriver, type TcpSettings, tcpSettingsSchema } from './reachability-driver.js';

/** Options of the plugin. */
export const reachabilityOptionsSchema = z
  .object({
    /** Append every sample to this file as newline-delimited JSON. Default: off. */
    ndjsonFile: z.string().optional(),
    /** Post alerts to this chat webhook URL. Default: off. */
    chatWebhook: z.string().url().optional(),
  })
  .strict();

/**
 * A third-party plugin showing the three roles: a TCP reachability driver (`driver: 'tcp'`), an
 * NDJSON file sink and a chat webhook notifier (for the alerts plugin, whose `NotifierToken` it
 * provides). Only public imports of `@ispmonitor/core` and `@ispmonitor/plugin-alerts`.
 */
export const reachability = definePlugin({
  name: 'reachability',
  version: '0.1.0',
  optionsSchema: reachabilityOptionsSchema,
  setup(ctx, options) {
    ctx.provide(tokens.Driver, reachabilityDriver());
    if (options.ndjsonFile) ctx.provide(tokens.Sink, ndjsonSink(options.ndjsonFile));
    if (options.chatWebhook) ctx.provide(NotifierToken, chatNotifier({ url: options.chatWebhook }));
  },
});
