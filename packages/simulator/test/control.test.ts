import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlServer, startControlServer } from '../src/control.js';
import { type SnmpFleet, startSnmpFleet } from '../src/fleet.js';
import { Client } from './support/net-snmp.js';

const SYS_NAME = '1.3.6.1.2.1.1.5.0';

let fleet: SnmpFleet;
let control: ControlServer;
beforeAll(async () => {
  fleet = await startSnmpFleet({ count: 2, faults: (i) => (i === 1 ? { dead: true } : undefined) });
  control = await startControlServer(fleet.devices);
});
afterAll(async () => {
  await control?.close();
  await fleet?.close();
});

/** One request to the control endpoint; resolves with the status and the parsed JSON body. */
function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${control.url}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether the device answers a GET within a short timeout (a dead one never answers). */
async function answers(i: number): Promise<boolean> {
  const d = fleet.devices[i] as (typeof fleet.devices)[number];
  const c = new Client(d.host, d.port, d.community, { timeout: 400, retries: 0 });
  try {
    await c.get([SYS_NAME]);
    return true;
  } catch {
    return false;
  } finally {
    c.close();
  }
}

describe('simulator control endpoint', () => {
  it('lists the devices with their state', async () => {
    const res = await call('GET', '/devices');
    expect(res.status).toBe(200);
    const [a, b] = fleet.devices;
    expect(res.body).toEqual([
      { id: a?.id, host: a?.host, port: a?.port, state: 'up', forced: false },
      { id: b?.id, host: b?.host, port: b?.port, state: 'down', forced: false },
    ]);
  });

  it('takes a device down and back up at run time', async () => {
    const id = fleet.devices[0]?.id as string;
    expect(await answers(0)).toBe(true);
    const down = await call('POST', `/devices/${id}/down`);
    expect(down).toEqual({ status: 200, body: expect.objectContaining({ id, state: 'down', forced: true }) });
    expect(await answers(0)).toBe(false);
    const up = await call('POST', `/devices/${id}/up`);
    expect(up.body).toEqual(expect.objectContaining({ state: 'up', forced: true }));
    expect(await answers(0)).toBe(true);
  });

  it('brings a planned-dead device up, and reset returns it to its plan', async () => {
    const id = fleet.devices[1]?.id as string;
    expect(await answers(1)).toBe(false);
    await call('POST', `/devices/${id}/up`);
    expect(await answers(1)).toBe(true);
    const reset = await call('POST', `/devices/${id}/reset`);
    expect(reset.body).toEqual(expect.objectContaining({ state: 'down', forced: false }));
    expect(await answers(1)).toBe(false);
  });

  it('answers bad requests with a clear error and keeps serving', async () => {
    expect(await call('POST', '/devices/nope/down')).toEqual({
      status: 404,
      body: { error: 'no device "nope"' },
    });
    expect((await call('GET', `/devices/${fleet.devices[0]?.id}/down`)).status).toBe(405);
    expect((await call('POST', '/devices/%E0%A4%A/down')).status).toBe(400);
    expect((await call('GET', '/elsewhere')).status).toBe(404);
    expect((await call('GET', '/devices')).status).toBe(200);
  });

  it('binds loopback only', async () => {
    await expect(startControlServer(fleet.devices, { host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
