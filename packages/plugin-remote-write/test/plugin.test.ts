import { testPlugin } from '@ispmonitor/core/testing';
import { afterAll } from 'vitest';
import { remoteWrite } from '../src/plugin.js';
import { startFakeReceiver } from './support/fake-receiver.js';
import { freePort } from './support/peers.js';

const receiver = await startFakeReceiver();
afterAll(() => receiver.close());

// The shared suite every plugin runs; the failing peer is a receiver that is not there.
testPlugin('remote-write', {
  plugin: () => remoteWrite({ targets: [{ url: receiver.url }] }),
  failures: [
    {
      name: 'receiver unreachable (nothing listens on the port)',
      plugin: async () =>
        remoteWrite({
          targets: [{ url: `http://127.0.0.1:${await freePort()}/api/v1/write` }],
          maxBackoff: '200ms',
        }),
    },
  ],
});
