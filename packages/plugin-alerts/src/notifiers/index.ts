/** Builds the notifiers a receiver's configuration asks for, named `receiver/kind/index` unless named. */
import type { Notifier } from '../events.js';
import type { ReceiverOptions } from '../options.js';
import { alertmanagerNotifier } from './alertmanager.js';
import { slackNotifier, telegramNotifier } from './chat.js';
import { emailNotifier } from './email.js';
import { webhookNotifier } from './webhook.js';

export { type AddressPolicy, type AddressPolicyOptions, addressPolicy } from './address-policy.js';
export { alertmanagerNotifier } from './alertmanager.js';
export { slackNotifier, summarise, telegramNotifier } from './chat.js';
export { emailNotifier } from './email.js';
export { classify, parseRetryAfter, postJson } from './http.js';
export { alertmanagerPayload, signWebhook, webhookNotifier } from './webhook.js';

/** The built-in notifiers of one receiver. */
export function receiverNotifiers(r: ReceiverOptions, now: () => number): Notifier[] {
  const out: Notifier[] = [];
  const name = (kind: string, i: number, given?: string) => given ?? `${r.name}/${kind}/${i}`;
  for (const [i, o] of r.webhook.entries()) out.push(webhookNotifier(name('webhook', i, o.name), o, now));
  for (const [i, o] of r.slack.entries()) out.push(slackNotifier(name('slack', i, o.name), o));
  for (const [i, o] of r.telegram.entries()) out.push(telegramNotifier(name('telegram', i, o.name), o));
  for (const [i, o] of r.alertmanager.entries())
    out.push(alertmanagerNotifier(name('alertmanager', i, o.name), o));
  for (const [i, o] of r.email.entries()) out.push(emailNotifier(name('email', i, o.name), o));
  return out;
}
