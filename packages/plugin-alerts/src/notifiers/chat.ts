/**
 * Chat notifiers: Slack (incoming webhook: `text` plus a coloured attachment) and Telegram
 * (`sendMessage` with HTML). Both base URLs are configurable so tests and proxies can stand in.
 */
import { type Duration, parseDuration } from '@ispmonitor/core';
import type { AlertInstance, Notification, Notifier } from '../events.js';
import type { SlackOptions, TelegramOptions } from '../options.js';
import { addressPolicy } from './address-policy.js';
import { postJson } from './http.js';

function line(a: AlertInstance): string {
  const what = a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? 'alert';
  const where = a.labels.device ? ` on ${a.labels.device}` : '';
  return `${a.status === 'firing' ? '🔥' : '✅'} [${a.labels.severity ?? 'none'}] ${what}${where}`;
}

/** A plain-text title and lines for a notification. */
export function summarise(n: Notification): { title: string; lines: string[] } {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const resolved = n.alerts.length - firing;
  const name = n.commonLabels.alertname ?? n.groupLabels.alertname ?? 'alerts';
  const title = `${n.status.toUpperCase()}: ${name} (${firing} firing, ${resolved} resolved)`;
  return {
    title,
    lines: n.alerts
      .slice(0, 20)
      .map(line)
      .concat(n.alerts.length > 20 ? [`… and ${n.alerts.length - 20} more`] : []),
  };
}

/** Slack incoming-webhook notifier. */
export function slackNotifier(name: string, o: SlackOptions): Notifier {
  const policy = addressPolicy(o);
  const timeoutMs = parseDuration(o.timeout as Duration);
  return {
    name,
    async send(n, { signal }) {
      const { title, lines } = summarise(n);
      const payload: Record<string, unknown> = {
        text: title,
        attachments: [
          {
            color: n.status === 'firing' ? 'danger' : 'good',
            title,
            text: lines.join('\n'),
            fallback: title,
          },
        ],
      };
      if (o.channel) payload.channel = o.channel;
      return postJson(
        { url: o.url, body: JSON.stringify(payload), headers: {}, policy, signal, timeoutMs },
        (a) =>
          // Slack answers 200 "ok"; anything else in a 2xx body is an error it explains.
          a.body.trim() === '' || a.body.trim() === 'ok'
            ? { ok: true }
            : { ok: false, retry: false, error: a.body.slice(0, 200) },
      );
    },
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Telegram Bot API notifier. The bot token never appears in errors or logs. */
export function telegramNotifier(name: string, o: TelegramOptions): Notifier {
  const policy = addressPolicy(o);
  const timeoutMs = parseDuration(o.timeout as Duration);
  const url = `${o.baseUrl.replace(/\/$/, '')}/bot${o.botToken}/sendMessage`;
  return {
    name,
    async send(n, { signal }) {
      const { title, lines } = summarise(n);
      const text = `<b>${escapeHtml(title)}</b>\n${lines.map(escapeHtml).join('\n')}`.slice(0, 4096);
      const body = JSON.stringify({
        chat_id: o.chatId,
        text,
        parse_mode: 'HTML',
        disable_web_page_preview: true,
      });
      const r = await postJson({ url, body, headers: {}, policy, signal, timeoutMs }, (a) => {
        try {
          const j = JSON.parse(a.body) as { ok?: boolean; description?: string };
          return j.ok
            ? { ok: true }
            : { ok: false, retry: false, error: j.description ?? 'telegram refused' };
        } catch {
          return { ok: false, retry: true, error: 'telegram answered something that is not JSON' };
        }
      });
      return r.ok ? r : { ...r, error: r.error.split(o.botToken).join('***') };
    },
  };
}
