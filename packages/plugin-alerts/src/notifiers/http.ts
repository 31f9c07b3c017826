/**
 * The one way notifiers make HTTP requests: the target's resolved address is checked against the
 * address policy inside the socket's `lookup`, so DNS cannot smuggle a refused address past the
 * check; no redirects are followed; answers are classified into a SendResult that never throws.
 * Error texts never contain the URL (Telegram puts its bot token in the path).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { SendResult } from '../events.js';
import type { AddressPolicy } from './address-policy.js';

export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  policy: AddressPolicy;
  signal: AbortSignal;
  timeoutMs: number;
}

/** An HTTP answer worth showing in an error: status and the start of the body. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Seconds or an HTTP date → milliseconds to wait. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Classifies an answer: 2xx ok; 408, 429 and 5xx retry; other 4xx are final. */
export function classify(a: HttpAnswer): SendResult {
  if (a.status >= 200 && a.status < 300) return { ok: true };
  const error = `HTTP ${a.status}${a.body ? `: ${a.body.slice(0, 200)}` : ''}`;
  if (a.status === 429) {
    const ra = parseRetryAfter(a.headers['retry-after'] as string | undefined);
    return ra === undefined
      ? { ok: false, retry: true, error }
      : { ok: false, retry: true, error, retryAfterMs: ra };
  }
  if (a.status === 408 || a.status >= 500) return { ok: false, retry: true, error };
  return { ok: false, retry: false, error };
}

class Refused extends Error {}

/** POSTs and returns the answer; rejects with a Refused error for policy, Error otherwise. */
function request(o: PostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      return reject(new Refused('invalid URL'));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return reject(new Refused('only http and https URLs'));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const why = o.policy.check(host);
      if (why) return reject(new Refused(why));
    }
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return (callback as (e: Error) => void)(err);
        const list = addresses as unknown as LookupAddress[];
        for (const a of list) {
          const why = o.policy.check(a.address);
          if (why) return (callback as (e: Error) => void)(new Refused(why));
        }
        if ((options as { all?: boolean }).all)
          return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
        const first = list[0] as LookupAddress;
        (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
      });
    };
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(o.body),
          ...o.headers,
        },
        lookup,
        signal: o.signal,
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the start of an answer is kept: a hostile receiver cannot fill memory.
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 4096),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** POSTs JSON and returns a SendResult; never throws. `inspect` may look at a 2xx answer. */
export async function postJson(o: PostOptions, inspect?: (a: HttpAnswer) => SendResult): Promise<SendResult> {
  try {
    const answer = await request(o);
    const r = classify(answer);
    return r.ok && inspect ? inspect(answer) : r;
  } catch (err) {
    if (err instanceof Refused) return { ok: false, retry: false, error: err.message };
    const e = err as NodeJS.ErrnoException;
    if (e.cause instanceof Refused) return { ok: false, retry: false, error: e.cause.message };
    return { ok: false, retry: true, error: e.code ? `${e.code}: ${e.message}` : e.message };
  }
}
