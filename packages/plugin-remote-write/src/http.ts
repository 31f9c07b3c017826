import http from 'node:http';
import https from 'node:https';

/** What a receiver answered. */
export interface PostResult {
  status: number;
  /** `Retry-After` in ms, when the receiver sent a valid one. */
  retryAfterMs?: number;
  /** The start of the response body (for error messages), at most 512 characters. */
  body: string;
}

/** Most response bytes read: error bodies are for logs, success bodies are empty. */
const BODY_LIMIT = 512;

/**
 * `Retry-After` as ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent
 * or unreadable, never negative.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An HTTP(S) client for one receiver: keep-alive connections, an optional CA. */
export class HttpPoster {
  readonly #agent: http.Agent;
  readonly #https: boolean;
  /** The request options every POST shares (the URL taken apart once, not per request). */
  readonly #base: http.RequestOptions;
  /** Requests under way: `close` ends them (no abort listener per request). */
  readonly #inFlight = new Set<http.ClientRequest>();

  constructor(url: string, options: { ca?: string; timeoutMs: number; maxSockets: number }) {
    const u = new URL(url);
    this.#https = u.protocol === 'https:';
    this.#agent = this.#https
      ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, ca: options.ca })
      : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.#base = {
      protocol: u.protocol,
      // An IPv6 literal comes bracketed in a URL, bare in a hostname option.
      hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port || (this.#https ? 443 : 80),
      path: `${u.pathname}${u.search}`,
      method: 'POST',
      agent: this.#agent,
      timeout: options.timeoutMs,
    };
  }

  /**
   * POSTs a body; rejects on network errors, timeouts, `signal` and `close`, resolves with any
   * HTTP status. The response body is cut at 512 characters, or, with `maxBody`, read whole and
   * refused beyond it.
   */
  post(
    body: Uint8Array,
    headers: Record<string, string>,
    signal?: AbortSignal,
    maxBody?: number,
  ): Promise<PostResult> {
    const mod = this.#https ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        {
          ...this.#base,
          headers: { ...headers, 'Content-Length': String(body.byteLength) },
          ...(signal ? { signal } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (maxBody === undefined) {
              if (text.length < BODY_LIMIT) text += chunk;
            } else if (text.length + chunk.length > maxBody) {
              res.destroy(new Error(`response larger than ${maxBody} characters`));
            } else text += chunk;
          });
          res.on('error', fail);
          res.on('end', () => {
            this.#inFlight.delete(req);
            const status = res.statusCode ?? 0;
            const ra = res.headers['retry-after'];
            resolve({
              status,
              retryAfterMs: parseRetryAfter(Array.isArray(ra) ? ra[0] : ra, Date.now()),
              body: maxBody === undefined ? text.slice(0, BODY_LIMIT) : text,
            });
          });
        },
      );
      const fail = (err: Error) => {
        this.#inFlight.delete(req);
        reject(err);
      };
      this.#inFlight.add(req);
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  /** Ends the requests under way (they reject) and closes idle connections. */
  close(): void {
    for (const req of this.#inFlight)
      req.destroy(Object.assign(new Error('client closed'), { code: 'ECLOSED' }));
    this.#inFlight.clear();
    this.#agent.destroy();
  }
}
