/**
 * `/interface/ethernet/monitor` on the emulator. No captured reply of this command is in
 * `../shared/data/routeros`; the shape follows MikroTik's Ethernet manual (one row per port named
 * in `numbers`, `rate` only while the link is up, `once` ends with `!done`, without it the rows
 * repeat until `/cancel`).
 */
import { describe, expect, it } from 'vitest';
import type { RouterOsEmulatorOptions } from '../src/routeros/index.js';
import { attrs, emulatedRouters } from './support/routeros-client.js';

const started = emulatedRouters();
const router = (o: RouterOsEmulatorOptions = {}) => started(o, { login: true });
const rows = (sentences: string[][]) => sentences.filter((s) => s[0] === '!re').map(attrs);

describe('/interface/ethernet/monitor', () => {
  it('once: one row per port asked (by name or .id), rate only with a link', async () => {
    const { c } = await router({ interfaces: 8 });
    const reply = await c.run(['/interface/ethernet/monitor', '=numbers=ether1,*7,ether2', '=once=']);
    const got = rows(reply);
    expect(got.map((r) => r.name)).toEqual(['ether1', 'ether7', 'ether2']);
    expect(got[0]).toMatchObject({ status: 'link-ok', rate: '10Gbps', 'full-duplex': 'true' });
    expect(got[1]?.status).toBe('no-link');
    expect(got[1]?.rate).toBeUndefined();
    expect(got[2]?.rate).toMatch(/^(100Mbps|1Gbps|2\.5Gbps|10Gbps)$/);
    expect(reply.at(-1)?.[0]).toBe('!done');
  });

  it('follows a pulled cable; .proplist is honoured', async () => {
    const { r, c } = await router({ interfaces: 4 });
    r.model.setLink('ether2', false);
    const down = rows(
      await c.run(['/interface/ethernet/monitor', '=numbers=ether2', '=once=', '=.proplist=name,rate']),
    );
    expect(down).toEqual([{ name: 'ether2' }]);
    const iface = rows(await c.run(['/interface/print', '?name=ether2']));
    expect(iface[0]).toMatchObject({ running: 'false', 'link-downs': '1' });
    r.model.setLink('ether2', true);
    const up = rows(await c.run(['/interface/ethernet/monitor', '=numbers=ether2', '=once=']));
    expect(up[0]?.status).toBe('link-ok');
  });

  it('an unknown or non-ethernet port traps with "no such item"', async () => {
    const { c } = await router({ interfaceNames: ['ether1', 'bridge-local', 'wlan1'] });
    for (const numbers of ['ether9', 'bridge-local', 'wlan1']) {
      const reply = await c.run(['/interface/ethernet/monitor', `=numbers=${numbers}`, '=once=']);
      expect(reply[0]?.[0]).toBe('!trap');
      expect(attrs(reply[0] ?? []).message).toBe('no such item');
    }
    const types = rows(await c.run(['/interface/print', '=.proplist=name,type']));
    expect(types).toEqual([
      { name: 'ether1', type: 'ether' },
      { name: 'bridge-local', type: 'bridge' },
      { name: 'wlan1', type: 'wlan' },
    ]);
  });

  it('without once, rows repeat until /cancel', async () => {
    const { c } = await router({ interfaces: 2 });
    c.send(['/interface/ethernet/monitor', '=numbers=ether1', '.tag=m']);
    const first = await c.until((w) => w[0] === '!re' && w.includes('.tag=m'));
    expect(attrs(first.at(-1) ?? []).rate).toBe('10Gbps');
    await c.until((w) => w[0] === '!re' && w.includes('.tag=m'), 3000);
    const cancelled = await c.run(['/cancel', '=tag=m']);
    expect(cancelled.at(-1)?.[0]).toBe('!done');
    expect(c.sentences.some((w) => w[0] === '!trap' && w.includes('.tag=m'))).toBe(true);
  });

  it('a router without the ethernet menu says so', async () => {
    const { c } = await router({ missingMenus: ['/interface/ethernet'] });
    const reply = await c.run(['/interface/ethernet/monitor', '=numbers=ether1', '=once=']);
    expect(attrs(reply[0] ?? []).message).toMatch(/no such command/);
  });

  it('bonds: listed in /interface after the ports, with their slaves in /interface/bonding', async () => {
    const { r, c } = await router({ interfaces: 4, bonds: { bond1: ['ether1', 'ether2'] } });
    const all = rows(await c.run(['/interface/print', '=.proplist=.id,name,type,running,rx-byte']));
    const bond = all.find((x) => x.name === 'bond1');
    expect(bond).toMatchObject({ '.id': '*5', type: 'bond', running: 'true' });
    const slaves = all.filter((x) => x.name === 'ether1' || x.name === 'ether2');
    expect(Number(bond?.['rx-byte'])).toBe(slaves.reduce((a, x) => a + Number(x['rx-byte']), 0));
    const bonding = rows(await c.run(['/interface/bonding/print']));
    expect(bonding).toEqual([
      expect.objectContaining({ name: 'bond1', slaves: 'ether1,ether2', mode: '802.3ad' }),
    ]);
    // Not an ethernet port: monitor refuses it, as RouterOS does.
    const mon = await c.run(['/interface/ethernet/monitor', '=numbers=bond1', '=once=']);
    expect(mon[0]?.[0]).toBe('!trap');
    // Running while one slave has a link.
    r.model.setLink('ether1', false);
    r.model.setLink('ether2', false);
    const down = rows(await c.run(['/interface/print', '?name=bond1', '=.proplist=running']));
    expect(down).toEqual([{ running: 'false' }]);
  });
});
