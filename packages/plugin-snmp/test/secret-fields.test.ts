import { schemaSecretValues } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../src/settings.js';

describe('snmp settings mark their credentials as secrets', () => {
  it('community, authKey and privKey, not the user name or protocols', () => {
    expect(schemaSecretValues(settingsSchema, { version: '2c', community: 'cmty-1' })).toEqual(['cmty-1']);
    const v3 = {
      version: '3',
      username: 'monitor',
      authProtocol: 'sha256',
      authKey: 'auth-key-1',
      privProtocol: 'aes',
      privKey: 'priv-key-1',
    };
    expect(schemaSecretValues(settingsSchema, v3).sort()).toEqual(['auth-key-1', 'priv-key-1']);
  });
});
