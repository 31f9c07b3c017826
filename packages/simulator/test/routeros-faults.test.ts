/** The emulator's fault modes, as they look on the wire. */
import { describe, expect, it } from 'vitest';
import type { RouterOsEmulator, RouterOsEmulatorOptions, RouterOsFault } from '../src/routeros/index.js';
import { attrs, emulatedRouters, login } from './support/routeros-client.js';

const started = emulatedRouters();
const faulty = (fault: RouterOsFault, extra: RouterOsEmulatorOptions = {}) => started({ fault, ...extra });
const closed = (r: RouterOsEmulator) =>
  new Promise<void>((resolve) => {
    const check = () => (r.connections === 0 ? resolve() : setTimeout(check, 10));
    check();
  });

describe('fault modes', () => {
  it('silent: not even the login is answered', async () => {
    const { c } = await faulty('silent');
    await expect(c.until(() => true, 300)).rejects.toThrow(/no matching reply/);
  });

  it('silent-after-login: the login is answered, nothing after it', async () => {
    const { c } = await faulty('silent-after-login');
    expect((await login(c)).map((w) => w[0])).toEqual(['!done']);
    c.send(['/interface/print', '.tag=1']);
    await expect(c.until(() => true, 300)).rejects.toThrow(/no matching reply/);
  });

  it('bad-password: every login is refused', async () => {
    const { c } = await faulty('bad-password');
    expect((await login(c)).map((w) => w[0])).toEqual(['!trap', '!done']);
  });

  it('fatal: the first command after login gets !fatal and the connection closes', async () => {
    const { r, c } = await faulty('fatal');
    await login(c);
    c.send(['/interface/print', '.tag=1']);
    const got = await c.until((w) => w[0] === '!fatal');
    expect(got.at(-1)).toEqual(['!fatal', 'out of memory']);
    await closed(r);
  });

  it('drop-mid-reply: part of a reply, then the connection closes', async () => {
    const { r, c } = await faulty('drop-mid-reply', { interfaces: 20 });
    await login(c);
    c.send(['/interface/print', '.tag=1']);
    await closed(r);
    await new Promise((res) => setTimeout(res, 50));
    const rows = c.sentences.filter((w) => w[0] === '!re');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(20);
    expect(c.sentences.some((w) => w[0] === '!done' && w.includes('.tag=1'))).toBe(false);
  });

  it('unknown-reply and unregistered-tag: extra sentences before a normal reply', async () => {
    for (const [fault, extra] of [
      ['unknown-reply', (w: string[]) => w[0] === '!sparkle' && w.includes('.tag=t')],
      ['unregistered-tag', (w: string[]) => w.includes('.tag=999999')],
    ] as const) {
      const { c } = await faulty(fault);
      await login(c);
      c.send(['/system/identity/print', '.tag=t']);
      const got = await c.until((w) => w[0] === '!done' && w.includes('.tag=t'));
      expect(got.some(extra), fault).toBe(true);
      expect(got.filter((w) => w[0] === '!re' && w.includes('.tag=t')).map(attrs)).toEqual([
        { name: 'router-1' },
      ]);
    }
  });

  it('huge-table: subscriber tables grow to hugeRows', async () => {
    const { c } = await faulty('huge-table', { hugeRows: 5000, pppSessions: 3 });
    await login(c);
    const count = await c.run(['/ppp/active/print', '=count-only=']);
    expect(attrs(count[0] as string[]).ret).toBe('5000');
  });

  it('garbage: a reserved control byte', async () => {
    const { r } = await faulty('garbage');
    const net = await import('node:net');
    const s = net.connect({ host: '127.0.0.1', port: r.port });
    const bytes: number[] = [];
    s.on('data', (d: Buffer) => bytes.push(...d));
    await new Promise((res) => s.once('connect', res));
    const { sentenceBytes } = await import('../src/routeros/index.js');
    s.write(sentenceBytes(['/login', '=name=admin', '=password=']));
    s.write(sentenceBytes(['/interface/print']));
    await new Promise((res) => setTimeout(res, 100));
    s.destroy();
    expect(bytes).toContain(0xf8);
  });

  it('setFault switches modes at run time', async () => {
    const { r, c } = await faulty('none');
    expect((await login(c)).map((w) => w[0])).toEqual(['!done']);
    r.setFault('bad-password');
    expect((await login(c)).map((w) => w[0])).toEqual(['!trap', '!done']);
    r.setFault('none');
    expect((await login(c)).map((w) => w[0])).toEqual(['!done']);
  });
});
