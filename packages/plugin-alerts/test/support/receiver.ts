/** A local HTTP receiver for notifier tests: records every request and answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
  /** The status this request was answered with. */
  status: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /**
   * The first request (already received, or the next to arrive) that `match` accepts: a test
   * waits on the request itself, not on a polling loop. It never times out by itself; the test's
   * timeout catches a request that never comes.
   */
  received(match: (r: Received) => boolean): Promise<Received>;
  /** Sets how the next requests are answered. */
  respond(
    fn: (r: Omit<Received, 'status'>) => { status: number; headers?: Record<string, string>; body?: string },
  ): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port. */
export async function startReceiver(): Promise<Receiver> {
  let answer: Parameters<Receiver['respond']>[0] = () => ({ status: 200, body: 'ok' });
  const requests: Received[] = [];
  const waiting = new Set<{ match: (r: Received) => boolean; resolve: (r: Received) => void }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const base = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body };
      const a = answer(base);
      const request = { ...base, status: a.status };
      requests.push(request);
      for (const w of waiting) {
        if (!w.match(request)) continue;
        waiting.delete(w);
        w.resolve(request);
      }
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    received(match) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.add({ match, resolve }));
    },
    respond(fn) {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
