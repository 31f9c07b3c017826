/**
 * The router page's interface table of a RouterOS router: the speed comes from the mikrotik
 * driver (`/interface/ethernet/monitor`), so a RouterOS BNG of the demo shows utilisation like an
 * SNMP router does, end to end (emulated BNG → driver → storage → `/interface-table`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/cli/demo.js';
import type { InterfaceTable } from '../src/interfaces/table.js';
import { loginCookie, waitFor } from './support/harness.js';

let demo: Demo;
let cookie = '';

beforeAll(async () => {
  demo = await startDemo({ apiPort: 0, metricsPort: 0, interval: '1s', routers: 4, print: () => {} });
  cookie = await loginCookie(demo.url, { username: demo.username, password: demo.password });
}, 120_000);
afterAll(async () => {
  await demo?.stop();
});

const table = async (router: string): Promise<InterfaceTable> => {
  const res = await fetch(`${demo.url}/api/v1/routers/${router}/interface-table`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as InterfaceTable;
};

describe('a RouterOS BNG of the demo', () => {
  it('has interface speeds and a utilisation in its interface table', async () => {
    const bng = demo.bngs.devices[0];
    if (!bng) throw new Error('the demo has no BNG');
    let last: InterfaceTable | undefined;
    // Two counter readings make a rate: wait for the polls, not for a fixed time.
    await waitFor(
      async () => {
        last = await table(bng.id);
        return last.items.some((i) => i.name === 'ether1' && i.inUtil !== null && i.outUtil !== null);
      },
      60_000,
      'a utilisation on the BNG uplink',
    );
    const uplink = last?.items.find((i) => i.name === 'ether1');
    expect(uplink?.uplink).toBe(true);
    expect(uplink?.speedBps).toBe(10e9);
    expect(uplink?.inBps).toBeGreaterThan(0);
    // Utilisation is the live rate over the negotiated speed, 0–1.
    expect(uplink?.inUtil).toBeCloseTo((uplink?.inBps ?? 0) / 10e9, 5);
    expect(uplink?.inUtil).toBeGreaterThan(0);
    expect(uplink?.inUtil).toBeLessThanOrEqual(1);
    // A port without a link has no speed (not 0), so no utilisation either.
    const dark = last?.items.find((i) => i.operUp === false);
    expect(dark).toBeDefined();
    expect(dark?.speedBps ?? null).toBeNull();
    expect(dark?.inUtil ?? null).toBeNull();
  }, 90_000);

  it('its link to the parent router has a capacity and a utilisation on the topology', async () => {
    const bng = demo.bngs.devices[0];
    if (!bng) throw new Error('the demo has no BNG');
    type Link = { source: string; target: string; capacityBps?: number; utilisation?: number };
    let link: Link | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${demo.url}/api/v1/topology`, { headers: { cookie } });
        const body = (await res.json()) as { links: Link[] };
        link = body.links.find((l) => l.source === bng.id || l.target === bng.id);
        return link?.utilisation !== undefined;
      },
      60_000,
      'a utilisation on the BNG parent link',
    );
    expect(link?.capacityBps).toBeGreaterThan(0);
    expect(link?.utilisation).toBeGreaterThan(0);
  }, 90_000);
});
