import { schemaSecretValues } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../src/settings.js';

describe('mikrotik settings: credentials by schema', () => {
  it('the password is a secret; the user name, CA and fingerprint are not', () => {
    const settings = {
      username: 'monitor',
      password: 'api-pass-1',
      tls: true,
      fingerprint: 'ab'.repeat(32),
    };
    expect(schemaSecretValues(settingsSchema, settings)).toEqual(['api-pass-1']);
  });
});
