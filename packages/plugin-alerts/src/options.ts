/**
 * Options of the alerts plugin, schema first: the TypeScript types are inferred from these zod
 * schemas. Durations are `60s`-style strings or milliseconds. Snake-case spellings of rule and
 * route fields (`keep_firing_for`, `group_wait`, …) are accepted as in Prometheus/Alertmanager.
 */
import { secret } from '@ispmonitor/core';
import { z } from 'zod';

const duration = z.union([z.number().nonnegative(), z.string().min(1)]);

const matcherSchema = z.object({
  name: z.string().min(1),
  value: z.string(),
  type: z.enum(['=', '!=', '=~', '!~']).default('='),
});
/** Matchers: either `[{name, value, type}]` or a selector-like string `{a="b",c=~"d"}`. */
const matchers = z.union([z.array(matcherSchema), z.string()]);

/** A rule as written in code or YAML. */
export const ruleSchema = z
  .object({
    /** Alert name (`alertname` label). Also accepted as `alert`. */
    name: z.string().min(1).optional(),
    alert: z.string().min(1).optional(),
    /**
     * `metric` (default), `device_status` (driven by `device:status` events) or `monitor` (the
     * monitor's own condition: true while it reports itself overloaded, `monitor:overloaded`;
     * its alert has no `device` label).
     */
    kind: z.enum(['metric', 'device_status', 'monitor']).default('metric'),
    /** Selector: `name{label="v",re=~"a|b"}`. Metric rules only. */
    metric: z.string().optional(),
    /**
     * Label matchers that scope the rule, `{site="north",role=~"core|edge"}` or a list of
     * `{name, value, type}` (the syntax and RE2 semantics of metric selectors). A device_status
     * rule matches them against the device's labels and `device` (its id); a metric rule against
     * the series' labels, on top of its selector's. Not for monitor rules.
     */
    matchers: matchers.optional(),
    /** Window function. Default `value`. */
    fn: z
      .enum(['value', 'rate', 'increase', 'avg', 'min', 'max', 'changes', 'resets', 'drop_ratio', 'absent'])
      .default('value'),
    /** Window of the function. Default `5m`. */
    window: duration.default('5m'),
    /** Multiplies the function's result (e.g. 8 to turn octets into bits). Default 1. */
    scale: z.number().default(1),
    /** Divides by the newest value of this metric with the same labels (e.g. `interface_speed_bps`). */
    per: z.string().optional(),
    op: z.enum(['>', '>=', '<', '<=', '==', '!=']).default('>'),
    threshold: z.number().default(0),
    /** Hysteresis: a firing alert resolves only once the value crosses this instead of `threshold`. */
    resolveThreshold: z.number().optional(),
    resolve_threshold: z.number().optional(),
    /** Device statuses that make a device_status rule true. Default unreachable and offline. */
    status: z.array(z.enum(['unknown', 'online', 'unreachable', 'offline'])).optional(),
    for: duration.optional(),
    keepFiringFor: duration.optional(),
    keep_firing_for: duration.optional(),
    severity: z.string().default('warning'),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
    /** Marks a "device is down" rule: its firing alert suppresses the device's descendants. */
    deviceDown: z.boolean().default(false),
    /** Interface filter (pack): only interfaces that are uplinks (see README). */
    uplinksOnly: z.boolean().default(false),
  })
  .strict();
export type RuleInput = z.input<typeof ruleSchema>;

export interface RouteInput {
  receiver?: string;
  matchers?: z.input<typeof matchers>;
  group_by?: string[];
  groupBy?: string[];
  group_wait?: z.input<typeof duration>;
  groupWait?: z.input<typeof duration>;
  group_interval?: z.input<typeof duration>;
  groupInterval?: z.input<typeof duration>;
  repeat_interval?: z.input<typeof duration>;
  repeatInterval?: z.input<typeof duration>;
  continue?: boolean;
  routes?: RouteInput[];
}
/** A route node (Alertmanager semantics). */
export const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z
    .object({
      receiver: z.string().optional(),
      matchers: matchers.optional(),
      group_by: z.array(z.string()).optional(),
      groupBy: z.array(z.string()).optional(),
      group_wait: duration.optional(),
      groupWait: duration.optional(),
      group_interval: duration.optional(),
      groupInterval: duration.optional(),
      repeat_interval: duration.optional(),
      repeatInterval: duration.optional(),
      continue: z.boolean().optional(),
      routes: z.array(routeSchema).optional(),
    })
    .strict(),
);

const addressPolicy = {
  /** CIDRs always allowed (checked after DNS resolution), e.g. `127.0.0.0/8` for a local receiver. */
  allow: z.array(z.string()).default([]),
  /** CIDRs refused. Cloud metadata and link-local addresses are always refused. */
  deny: z.array(z.string()).default([]),
  /** Allow loopback targets. Default false: a webhook must not reach the monitor host itself. */
  allowLoopback: z.boolean().default(false),
};
const common = { name: z.string().optional(), timeout: duration.default('10s'), ...addressPolicy };

export const webhookSchema = z
  .object({
    ...common,
    url: z.url(),
    /** Standard Webhooks secrets (`whsec_…`); two during rotation give two signatures. */
    secrets: z.array(secret(z.string().startsWith('whsec_'))).default([]),
    headers: z.record(z.string(), z.string()).default({}),
    externalUrl: z.string().default(''),
  })
  .strict();
/** A Slack incoming-webhook URL carries its token: the whole URL is a secret. */
export const slackSchema = z
  .object({ ...common, url: secret(z.url()), channel: z.string().optional() })
  .strict();
export const telegramSchema = z
  .object({
    ...common,
    baseUrl: z.url().default('https://api.telegram.org'),
    botToken: secret(z.string().min(1)),
    chatId: z.union([z.string(), z.number()]),
  })
  .strict();
export const alertmanagerSchema = z.object({ ...common, url: z.url() }).strict();
export const emailSchema = z
  .object({
    name: z.string().optional(),
    host: z.string().min(1),
    port: z.number().int().positive().default(587),
    /** Refuse to send unless the server offers STARTTLS. Default true. */
    requireTls: z.boolean().default(true),
    /** Verify the server certificate. Default true; `ca` adds a trusted certificate (PEM). */
    rejectUnauthorized: z.boolean().default(true),
    ca: z.string().optional(),
    auth: z.object({ user: z.string(), pass: secret(z.string()) }).optional(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    timeout: duration.default('30s'),
  })
  .strict();

export const receiverSchema = z
  .object({
    name: z.string().min(1),
    webhook: z.array(webhookSchema).default([]),
    slack: z.array(slackSchema).default([]),
    telegram: z.array(telegramSchema).default([]),
    alertmanager: z.array(alertmanagerSchema).default([]),
    email: z.array(emailSchema).default([]),
    /** Names of notifiers other plugins provide through `NotifierToken`. */
    use: z.array(z.string()).default([]),
  })
  .strict();

export const inhibitSchema = z
  .object({
    source: matchers,
    target: matchers,
    equal: z.array(z.string()).default([]),
  })
  .strict();

export const silenceSchema = z
  .object({
    matchers,
    startsAt: z.union([z.number(), z.string()]).optional(),
    endsAt: z.union([z.number(), z.string()]),
    createdBy: z.string().default('config'),
    comment: z.string().default(''),
  })
  .strict();

export const packSchema = z
  .object({
    cpu: z.number().default(0.9),
    memory: z.number().default(0.9),
    temperature: z.number().default(70),
    utilisationWarning: z.number().default(0.8),
    utilisationCritical: z.number().default(0.95),
    errorRate: z.number().default(1),
    pppoeDrop: z.number().default(0.3),
    pppoeWindow: duration.default('5m'),
    /** SubscriberFlapping fires when a router sees more subscriber reconnects than this in an hour. */
    reconnectsPerHour: z.number().int().positive().default(50),
    signalDbm: z.number().default(-80),
    downFor: duration.default('2m'),
    /** Device label listing uplink interface names, comma-separated. */
    uplinkLabel: z.string().default('uplinks'),
    /** Regex (case-insensitive) on an `ifAlias` sample label marking uplinks. */
    uplinkAlias: z.string().default('uplink|upstream|transit'),
  })
  .strict();

export const optionsSchema = z
  .object({
    /** Rules in code; checked when the plugin sets up, with errors naming the rule. */
    rules: z.array(z.custom<RuleInput>((v) => typeof v === 'object' && v !== null)).default([]),
    ruleFiles: z.array(z.string()).default([]),
    route: routeSchema.optional(),
    routes: routeSchema.optional(),
    receivers: z.array(receiverSchema).default([]),
    inhibitRules: z.array(inhibitSchema).default([]),
    silences: z.array(silenceSchema).default([]),
    pack: z.object({ isp: z.union([z.boolean(), packSchema]).default(false) }).default({ isp: false }),
    flapping: z
      .object({
        /** More than this many state changes within `window` make an alert flap. */
        threshold: z.number().int().positive().default(4),
        window: duration.default('10m'),
        /** A flapping alert stops flapping after this long without state changes. */
        quiet: duration.default('10m'),
      })
      .default({ threshold: 4, window: '10m', quiet: '10m' }),
    /** How often pending, keep-firing, absent and flapping timers are checked. Default `10s`. */
    evaluationInterval: duration.default('10s'),
    /**
     * With replicas (a cluster plugin provides Leadership): how often each replica re-reads the
     * shared alert state, silences and acknowledgements. The leader notifies up to this much later
     * than a single process would. Default `2s`.
     */
    syncInterval: duration.default('2s'),
    /** Points kept per series (ring size). Default 32. */
    seriesCapacity: z.number().int().min(2).max(10_000).default(32),
    /** Resolved alerts kept for the API. Default 1000. */
    recentResolved: z.number().int().nonnegative().default(1000),
    delivery: z
      .object({
        minBackoff: duration.default('1s'),
        maxBackoff: duration.default('1m'),
        /** Give up (a final `notification:failed`) after retrying this long. Default `24h`. */
        giveUpAfter: duration.default('24h'),
      })
      .default({ minBackoff: '1s', maxBackoff: '1m', giveUpAfter: '24h' }),
  })
  .strict();
export type AlertsOptions = z.output<typeof optionsSchema>;
export type AlertsOptionsInput = z.input<typeof optionsSchema>;
export type PackOptions = z.output<typeof packSchema>;
export type WebhookOptions = z.output<typeof webhookSchema>;
export type SlackOptions = z.output<typeof slackSchema>;
export type TelegramOptions = z.output<typeof telegramSchema>;
export type AlertmanagerOptions = z.output<typeof alertmanagerSchema>;
export type EmailOptions = z.output<typeof emailSchema>;
export type ReceiverOptions = z.output<typeof receiverSchema>;
