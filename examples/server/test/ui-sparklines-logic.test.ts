/** The routers page's sparklines: rows on screen are asked for in batches the server accepts. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSparklines, type RouterRow, SPARKLINE_BATCH } from '../ui/src/pages/routers-data.js';

const row = (i: number): RouterRow =>
  ({ id: `r${i}`, name: `R${i}`, host: '127.0.0.1', driver: 'snmp', status: 'online' }) as RouterRow;

afterEach(() => vi.unstubAllGlobals());

describe('routers page sparklines', () => {
  it('asks for at most 60 routers a request and gives every row its own series', async () => {
    const asked: string[][] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        const routers = new URL(path, 'http://127.0.0.1').searchParams.get('routers')?.split(',') ?? [];
        asked.push(routers);
        // The server refuses more than its cap, as it does for real.
        if (routers.length > 60) return new Response('{"error":"too many"}', { status: 400 });
        const items = Object.fromEntries(routers.map((id) => [id, [[0, Number(id.slice(1))]]]));
        return new Response(JSON.stringify({ items }), { status: 200 });
      }),
    );
    const rows = Array.from({ length: 130 }, (_, i) => row(i));
    await loadSparklines(rows, new AbortController().signal);
    expect(SPARKLINE_BATCH).toBe(60);
    expect(asked.map((a) => a.length)).toEqual([60, 60, 10]);
    expect(asked.flat()).toEqual(rows.map((r) => r.id));
    expect(rows.map((r) => r.spark)).toEqual(rows.map((_, i) => [i]));
  });
});
