import type { Notification, Notifier, SendResult } from '@ispmonitor/plugin-alerts';

/** Formats a notification as one line of chat text. */
export function chatText(n: Notification): string {
  const icon = n.status === 'firing' ? '🔥' : '✅';
  const names = n.alerts
    .map((a) => `${a.labels.alertname ?? 'alert'} on ${a.labels.device ?? '?'}`)
    .join(', ');
  return `${icon} [${n.status.toUpperCase()}] ${names}`;
}

/**
 * A notifier that posts `{ "text": … }` to a chat webhook (Mattermost, Rocket.Chat and Slack
 * accept this shape). It never throws: 5xx, 429 and network errors ask for a retry; other 4xx do
 * not, since sending the same request again would fail the same way.
 */
export function chatNotifier(options: { name?: string; url: string }): Notifier {
  return {
    name: options.name ?? 'chat',
    async send(notification, { signal }): Promise<SendResult> {
      try {
        const res = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: chatText(notification) }),
          signal,
        });
        if (res.ok) return { ok: true };
        const retryAfter = Number(res.headers.get('retry-after'));
        return {
          ok: false,
          retry: res.status >= 500 || res.status === 429,
          error: `HTTP ${res.status}`,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        };
      } catch (err) {
        return { ok: false, retry: true, error: (err as Error).message };
      }
    },
  };
}
