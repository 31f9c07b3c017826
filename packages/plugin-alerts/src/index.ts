/**
 * `@ispmonitor/plugin-alerts`: alert rules evaluated as samples arrive, routing with grouping,
 * silences, inhibition, acknowledgements and topology suppression, and notifiers (webhook, email,
 * Slack, Telegram, Alertmanager) with at-least-once delivery.
 */
export type { AlertRecord } from './alert.js';
export {
  type AlertsApi,
  type AlertsChecks,
  type AlertView,
  alertsApi,
  alertsChecks,
  type SilenceInput,
} from './api.js';
export { AlertsErrorCodes, AlertsErrors } from './errors.js';
export * from './events.js';
export type { MatchersInput } from './matchers.js';
export {
  type AddressPolicy,
  type AddressPolicyOptions,
  addressPolicy,
  alertmanagerNotifier,
  alertmanagerPayload,
  emailNotifier,
  signWebhook,
  slackNotifier,
  telegramNotifier,
  webhookNotifier,
} from './notifiers/index.js';
export {
  type AlertsOptions,
  type AlertsOptionsInput,
  optionsSchema,
  type RouteInput,
  type RuleInput,
  ruleSchema,
} from './options.js';
export { ispRulePack } from './pack.js';
export { memoryStateStore } from './persist.js';
export { alerts } from './plugin.js';
export { type CompiledRule, compileRule, loadRuleFile, RuleError } from './rules.js';
export { type CompiledMatcher, type LabelMatcherInput, labelMatcher, type Matcher } from './selector.js';
export type { WindowFn } from './series.js';
export type { Ack, MuteReason, Silence } from './suppress.js';
export { compileTemplate, type Template, type TemplateData, TemplateError } from './template.js';
