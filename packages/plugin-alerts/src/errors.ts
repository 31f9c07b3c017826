/**
 * The alerts plugin's errors, in the shape every package uses (`code`, `message`, HTTP `status`
 * hint; see `ErrorSpec` in core). Everything wrong in the configuration is found when the plugin
 * sets up (or, for what other plugins provide, when it starts), never during evaluation.
 */
import { codesOf, defineErrors, type MonitorError, monitorError } from '@ispmonitor/core';

/** Every error the alerts plugin raises. */
export const AlertsErrors = defineErrors({
  /** A rule that cannot load: bad selector, unknown option for its kind, template, duration. */
  RULE_INVALID: ['ISPM_ALERTS_RULE_INVALID', 400, 'An alert rule is invalid.'],
  /** An annotation template that does not compile (unknown variable or filter, unclosed braces). */
  TEMPLATE_INVALID: ['ISPM_ALERTS_TEMPLATE_INVALID', 400, 'An alert template is invalid.'],
  /** A route, receiver, inhibition rule or config silence that cannot work. */
  CONFIG_INVALID: ['ISPM_ALERTS_CONFIG_INVALID', 400, 'The alerts configuration is invalid.'],
  /** A receiver's `use` names a notifier that no plugin provides. */
  NOTIFIER_UNKNOWN: [
    'ISPM_ALERTS_NOTIFIER_UNKNOWN',
    400,
    'A receiver names a notifier that no plugin provides.',
  ],
  /** An acknowledgement or silence asked for through the API that cannot be made. */
  INPUT_INVALID: ['ISPM_ALERTS_INPUT_INVALID', 400, 'Invalid alert input.'],
  /** No active alert (or silence) with that id. */
  NOT_FOUND: ['ISPM_ALERTS_NOT_FOUND', 404, 'No such alert or silence.'],
});

/** The codes of `AlertsErrors`, by the same names. */
export const AlertsErrorCodes = codesOf(AlertsErrors);

/** Makes one of the plugin's errors, naming the plugin. */
export function alertsError(
  which: keyof typeof AlertsErrors,
  message: string,
  cause?: unknown,
): MonitorError {
  return monitorError(AlertsErrors[which], message, {
    plugin: 'alerts',
    ...(cause === undefined ? {} : { cause }),
  });
}
