/**
 * Versions come from package.json (issue 22, point 7): each package's version constant is read
 * from its own package.json when built (a JSON import), so a release cannot ship a stale one.
 */
import { readFileSync } from 'node:fs';
import { CORE_VERSION } from '@ispmonitor/core';
import { alerts } from '@ispmonitor/plugin-alerts';
import { cluster } from '@ispmonitor/plugin-cluster';
import { describe, expect, it } from 'vitest';
import { VERSION as alertsVersion } from '../../../packages/plugin-alerts/src/version.js';
import { VERSION as clusterVersion } from '../../../packages/plugin-cluster/src/version.js';
import { VERSION as mikrotikVersion } from '../../../packages/plugin-mikrotik/src/version.js';
import { VERSION as postgresVersion } from '../../../packages/plugin-postgres/src/version.js';
import { VERSION as remoteWriteVersion } from '../../../packages/plugin-remote-write/src/version.js';
import { VERSION as snmpVersion } from '../../../packages/plugin-snmp/src/version.js';
import { SERVER_VERSION } from '../src/version.js';

const declared = (dir: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../../../${dir}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

describe("each package's version is its package.json's", () => {
  it.each([
    ['packages/core', CORE_VERSION],
    ['packages/plugin-alerts', alertsVersion],
    ['packages/plugin-cluster', clusterVersion],
    ['packages/plugin-mikrotik', mikrotikVersion],
    ['packages/plugin-postgres', postgresVersion],
    ['packages/plugin-remote-write', remoteWriteVersion],
    ['packages/plugin-snmp', snmpVersion],
    ['examples/server', SERVER_VERSION],
  ])('%s', (dir, version) => {
    expect(version).toBe(declared(dir));
  });

  it('plugins carry it, and accept the core they were built with', () => {
    expect(alerts().version).toBe(declared('packages/plugin-alerts'));
    expect(cluster({ url: 'postgres://127.0.0.1:1/x' }).version).toBe(declared('packages/plugin-cluster'));
    expect(alerts().coreRange).toBe(`^${declared('packages/core')}`);
  });
});
