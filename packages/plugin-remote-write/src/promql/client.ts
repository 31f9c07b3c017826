import type { Labels } from '@ispmonitor/core';
import { HttpPoster } from '../http.js';

/** Where and how to query: a Prometheus-compatible HTTP API. */
export interface PromQueryTarget {
  /**
   * Base URL of the query API: `http://prometheus:9090`, `http://victoria:8428`,
   * `http://mimir:8080/prometheus` (the client adds `/api/v1/query` and `/api/v1/query_range`).
   */
  url: string;
  /** Extra headers, e.g. `X-Scope-OrgID`. */
  headers?: Record<string, string>;
  /** Basic auth or a bearer token. */
  auth?: { username: string; password: string } | { bearer: string };
  /** PEM of the CA that signs the server's certificate. */
  ca?: string;
  /** Per-query timeout in ms. Default 30 s. */
  timeoutMs?: number;
}

/** One series of a query result: labels (without `__name__`) and points `[ms, value]`. */
export interface PromSeries {
  labels: Labels;
  name?: string;
  points: Array<[number, number]>;
}

interface ApiBody {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: {
    resultType: 'matrix' | 'vector' | 'scalar' | 'string';
    result: Array<{ metric: Labels; values?: Array<[number, string]>; value?: [number, string] }>;
  };
}

/** A PromQL string literal: double-quoted, with `\`, `"` and line breaks escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** `name{k="v",…}` for equality matchers (label names must already be valid). */
export function selector(name: string, labels: Labels = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${promString(labels[k] as string)}`);
  return `${name}{${parts.join(',')}}`;
}

/** A duration in PromQL syntax, in whole milliseconds (`90000ms`). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

/**
 * A small client of the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), as
 * Prometheus, VictoriaMetrics, Mimir, Thanos and Cortex serve it. Queries are POSTed as forms, so
 * long selectors never hit a URL length limit. An API error rejects with the engine's message.
 */
export class PromClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #posters = new Map<string, HttpPoster>();

  constructor(private readonly target: PromQueryTarget) {
    this.#base = target.url.replace(/\/+$/, '');
    this.#headers = { ...target.headers, 'Content-Type': 'application/x-www-form-urlencoded' };
    const auth = target.auth;
    if (auth && 'bearer' in auth) this.#headers.Authorization = `Bearer ${auth.bearer}`;
    else if (auth) {
      this.#headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
  }

  #poster(path: string): HttpPoster {
    let p = this.#posters.get(path);
    if (!p) {
      p = new HttpPoster(`${this.#base}${path}`, {
        ca: this.target.ca,
        timeoutMs: this.target.timeoutMs ?? 30_000,
        maxSockets: 8,
      });
      this.#posters.set(path, p);
    }
    return p;
  }

  async #call(path: string, form: Record<string, string>): Promise<PromSeries[]> {
    const body = Buffer.from(new URLSearchParams(form).toString());
    const res = await this.#poster(path).post(body, this.#headers, undefined, 16 * 1024 * 1024);
    let parsed: ApiBody;
    try {
      parsed = JSON.parse(res.body) as ApiBody;
    } catch {
      throw new Error(`query API ${path} answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    }
    if (parsed.status !== 'success' || !parsed.data) {
      throw new Error(
        `query API ${path}: ${parsed.errorType ?? `HTTP ${res.status}`}: ${parsed.error ?? ''}`,
      );
    }
    const { resultType, result } = parsed.data;
    if (resultType !== 'matrix' && resultType !== 'vector') return [];
    return result.map((r) => {
      const { __name__: name, ...labels } = r.metric;
      const raw = r.values ?? (r.value ? [r.value] : []);
      return {
        labels,
        ...(name === undefined ? {} : { name }),
        points: raw.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
      };
    });
  }

  /** An instant query at `time` (ms). */
  instant(query: string, time: number): Promise<PromSeries[]> {
    return this.#call('/api/v1/query', { query, time: String(time / 1000) });
  }

  /** A range query over [start, end] (ms) every `step` ms. */
  range(query: string, start: number, end: number, step: number): Promise<PromSeries[]> {
    return this.#call('/api/v1/query_range', {
      query,
      start: String(start / 1000),
      end: String(end / 1000),
      step: `${step / 1000}`,
    });
  }

  /** Closes idle connections. */
  close(): void {
    for (const p of this.#posters.values()) p.close();
  }
}
