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
      requests.push({ ...base, status: a.status });
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
