import { schemaSecretValues } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { optionsSchema } from '../src/options.js';

describe('alerts options: notifier credentials by schema', () => {
  it('webhook secrets, the Slack URL, the Telegram token and the SMTP password are secrets; nothing else is', () => {
    const options = {
      receivers: [
        {
          name: 'noc',
          webhook: [
            { url: 'https://hooks.invalid/x', secrets: ['whsec_c2VjcmV0LTE='], headers: { 'x-team': 'noc' } },
          ],
          slack: [{ url: 'https://hooks.slack.invalid/services/T1/B2/slack-token-1' }],
          telegram: [{ botToken: 'bot-token-1', chatId: 42 }],
          email: [
            {
              host: 'smtp.invalid',
              auth: { user: 'noc', pass: 'smtp-pass-1' },
              from: 'a@b.c',
              to: ['d@e.f'],
            },
          ],
        },
      ],
    };
    expect(schemaSecretValues(optionsSchema, options).sort()).toEqual([
      'bot-token-1',
      'https://hooks.slack.invalid/services/T1/B2/slack-token-1',
      'smtp-pass-1',
      'whsec_c2VjcmV0LTE=',
    ]);
  });
});
