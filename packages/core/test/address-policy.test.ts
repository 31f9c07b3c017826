import {
  addressPolicy,
  createMonitor,
  definePlugin,
  looseIPv4,
  memoryInventory,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';

const polled: string[] = [];
const driverPlugin = definePlugin({
  name: 'x-driver',
  version: '1.0.0',
  setup(ctx) {
    ctx.provide(tokens.Inventory, memoryInventory());
    ctx.provide(tokens.Driver, {
      kind: 'x',
      poll: async (d) => {
        polled.push(d.host);
        return { samples: [] };
      },
    });
  },
});

describe('address policy for device.host', () => {
  it('refuses link-local and metadata addresses in every form the resolver accepts', () => {
    const policy = addressPolicy();
    for (const host of [
      '169.254.169.254',
      '169.254.1.1',
      '2852039166', // 169.254.169.254 as one number
      '0xa9fea9fe',
      '0251.0376.0251.0376',
      '169.254.43518',
      '::ffff:169.254.169.254',
      '[fe80::1]',
      'fe80::1%eth0',
      'fd00:ec2::254',
      '100.100.100.200',
      'metadata.google.internal.',
      'METADATA',
    ]) {
      expect(policy.check(host), host).toMatch(/refused/);
    }
    for (const host of [
      '10.0.0.1',
      '127.0.0.1',
      'router1.example.net',
      '2001:db8::1',
      '192.168.88.1',
      '::1',
    ]) {
      expect(policy.check(host), host).toBeUndefined();
    }
    expect(policy.check('169.254.169.254')).toMatch(/169\.254\.169\.254\/32 \(cloud metadata/);
    expect(policy.check('2852039166')).toMatch(/^2852039166 \(169\.254\.169\.254\) is in/);
  });

  it('parses the loose IPv4 forms like inet_aton and leaves names alone', () => {
    expect(looseIPv4('10')).toBe('0.0.0.10');
    expect(looseIPv4('10.1')).toBe('10.0.0.1');
    expect(looseIPv4('0x7f.1')).toBe('127.0.0.1');
    expect(looseIPv4('256.1.1.1')).toBeUndefined();
    expect(looseIPv4('10.0.0.256')).toBeUndefined();
    expect(looseIPv4('router1')).toBeUndefined();
    expect(looseIPv4('08.1.1.1')).toBeUndefined();
  });

  it('opens exceptions with allow (the more specific rule wins) and adds ranges with deny', () => {
    const policy = addressPolicy({ allow: ['169.254.0.0/16'], deny: ['10.9.0.0/16', '2001:db8::/32'] });
    expect(policy.check('169.254.10.1')).toBeUndefined();
    expect(policy.check('169.254.169.254')).toMatch(/cloud metadata/);
    expect(policy.check('10.9.1.1')).toMatch(/10\.9\.0\.0\/16 \(on the deny list\)/);
    expect(policy.check('2001:db8::5')).toMatch(/deny list/);
    expect(addressPolicy({ allow: ['169.254.169.254'] }).check('169.254.169.254')).toBeUndefined();
    expect(addressPolicy({ allow: ['metadata'] }).check('metadata')).toBeUndefined();
    expect(() => addressPolicy({ deny: ['10.0.0.0/33'] }, 'server.devices.addressPolicy')).toThrow(
      /server\.devices\.addressPolicy\.deny: "10\.0\.0\.0\/33" is not an address or CIDR/,
    );
  });

  it('is enforced for config devices, API adds and updates, stored devices and one-off polls alike', async () => {
    await expect(
      createMonitor({
        plugins: [driverPlugin()],
        logger: createFakeLogger(),
        devices: [
          { id: 'ok', host: '10.0.0.1', driver: 'x' },
          { id: 'imds', host: '169.254.169.254', driver: 'x' },
        ],
      }),
    ).rejects.toThrow(/devices\[1\]: device "imds": host: 169\.254\.169\.254 is in 169\.254\.169\.254\/32/);

    const logger = createFakeLogger();
    const monitor = await createMonitor({
      plugins: [driverPlugin()],
      logger,
      clock: new FakeClock(),
      addressPolicy: { deny: ['192.0.2.0/24'] },
    });
    await monitor.start();
    try {
      await expect(monitor.devices.add({ id: 'a', host: '0xa9fea9fe', driver: 'x' })).rejects.toMatchObject({
        code: 'ISPM_DEVICE_INVALID',
        message: expect.stringMatching(/device "a": host: 0xa9fea9fe \(169\.254\.169\.254\)/),
      });
      await monitor.devices.add({ id: 'b', host: '10.0.0.2', driver: 'x' });
      await expect(monitor.devices.update('b', { host: '192.0.2.7' })).rejects.toThrow(
        /device "b": host: 192\.0\.2\.7 is in 192\.0\.2\.0\/24 \(on the deny list\)/,
      );
      expect(monitor.devices.get('b')?.device.host).toBe('10.0.0.2');
      await expect(monitor.pollOnce({ id: 'c', host: 'fe80::1', driver: 'x' })).rejects.toThrow(
        /IPv6 link-local/,
      );
      expect(polled).not.toContain('fe80::1');
    } finally {
      await monitor.stop();
    }
  });
});
