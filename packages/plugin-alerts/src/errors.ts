/**
 * The alerts plugin's errors, in the shape every package uses (`code`, `message`, HTTP `status`
 * hint; see `ErrorSpec` in core). Everything wrong in the configuration is found when the plugin
 * sets up (or, for what other plugins provide, when it starts), never during evaluation.
 */
import { codesOf, type ErrorTable, type MonitorError, monitorError } from '@ispmonitor/core';

/** Every error the alerts plugin raises. */
export const AlertsErrors = {
  /** A rule that cannot load: bad selector, unknown option for its kind, template, duration. */
  RULE_INVALID: { code: 'ISPM_ALERTS_RULE_INVALID', message: 'An alert rule is invalid.', status: 400 },
  /** An annotation template that does not compile (unknown variable or filter, unclosed braces). */
  TEMPLATE_INVALID: {
    code: 'ISPM_ALERTS_TEMPLATE_INVALID',
    message: 'An alert template is invalid.',
    status: 400,
  },
  /** A route, receiver, inhibition rule or config silence that cannot work. */
  CONFIG_INVALID: {
    code: 'ISPM_ALERTS_CONFIG_INVALID',
    message: 'The alerts configuration is invalid.',
    status: 400,
  },
  /** A receiver's `use` names a notifier that no plugin provides. */
  NOTIFIER_UNKNOWN: {
    code: 'ISPM_ALERTS_NOTIFIER_UNKNOWN',
    message: 'A receiver names a notifier that no plugin provides.',
    status: 400,
  },
  /** An acknowledgement or silence asked for through the API that cannot be made. */
  INPUT_INVALID: { code: 'ISPM_ALERTS_INPUT_INVALID', message: 'Invalid alert input.', status: 400 },
  /** No active alert (or silence) with that id. */
  NOT_FOUND: { code: 'ISPM_ALERTS_NOT_FOUND', message: 'No such alert or silence.', status: 404 },
} as const satisfies ErrorTable;

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
