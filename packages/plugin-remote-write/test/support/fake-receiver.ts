/**
 * A tiny remote-write receiver on loopback for behaviour tests: decodes each request (snappy,
 * protobuf) and lets the test decide the answer per request.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { uncompressSync } from 'snappy';
import { decodeWriteRequest, type WireSeries } from '../../src/proto.js';

/** What the receiver answers to one request. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** One request as received. */
export interface Received {
  headers: IncomingHttpHeaders;
  series: WireSeries[];
  bytes: number;
  answer: Answer;
}

export interface FakeReceiver {
  url: string;
  /** Every request, in arrival order, with the answer it got. */
  requests: Received[];
  /** Samples of requests answered 2xx. */
  accepted(): Array<{ name: string; labels: Record<string, string>; value: number; ts: number }>;
  close(): Promise<void>;
}

/** Starts the receiver; `answer` decides each reply (default 204). */
export async function startFakeReceiver(
  answer: (series: WireSeries[], headers: IncomingHttpHeaders) => Answer = () => ({ status: 204 }),
): Promise<FakeReceiver> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let series: WireSeries[];
      try {
        series = decodeWriteRequest(uncompressSync(raw) as Buffer);
      } catch (err) {
        res.writeHead(400).end(`undecodable: ${(err as Error).message}`);
        return;
      }
      const a = answer(series, req.headers);
      requests.push({ headers: req.headers, series, bytes: raw.length, answer: a });
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    requests,
    accepted() {
      const out: Array<{ name: string; labels: Record<string, string>; value: number; ts: number }> = [];
      for (const r of requests) {
        if (r.answer.status < 200 || r.answer.status >= 300) continue;
        for (const s of r.series) {
          const labels = Object.fromEntries(s.labels.map((l) => [l.name, l.value]));
          const { __name__: name = '', ...rest } = labels;
          for (const p of s.samples) out.push({ name, labels: rest, value: p.value, ts: p.timestamp });
        }
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
