import type { Device, DeviceState } from '@ispmonitor/core';
import { parseDuration } from '@ispmonitor/core';
import { HttpError } from '../http-errors.js';

/** Query-string schema of paginated lists. */
export const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
} as const;

/** Turns page/pageSize into offset/limit. */
export function paging(q: { page?: number; pageSize?: number }): {
  offset: number;
  limit: number;
  page: number;
  pageSize: number;
} {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  return { offset: (page - 1) * pageSize, limit: pageSize, page, pageSize };
}

/** Response schema of `{ error, message }`. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** The fields of a device the API shows. Driver settings hold credentials and are never returned. */
const PUBLIC_FIELDS = [
  'id',
  'name',
  'host',
  'port',
  'driver',
  'interval',
  'labels',
  'parent',
  'location',
  'enabled',
] as const;

/** A device as the API shows it: public fields, status, and which driver settings exist (not their values). */
export function routerView(state: DeviceState): Record<string, unknown> {
  const d = state.device;
  const out: Record<string, unknown> = {};
  for (const f of PUBLIC_FIELDS) if (d[f] !== undefined) out[f] = d[f];
  out.name ??= d.id;
  out.settings = Object.keys(d).filter((k) => !(PUBLIC_FIELDS as readonly string[]).includes(k));
  out.origin = state.origin;
  out.status = state.status;
  out.since = new Date(state.since).toISOString();
  if (state.lastPollAt) out.lastPollAt = new Date(state.lastPollAt).toISOString();
  if (state.lastSuccessAt) out.lastSuccessAt = new Date(state.lastSuccessAt).toISOString();
  if (state.lastError) out.lastError = { ...state.lastError, at: new Date(state.lastError.at).toISOString() };
  return out;
}

/** JSON schema of a router in responses. */
export const routerSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    driver: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    parent: { type: 'string' },
    enabled: { type: 'boolean' },
    origin: { type: 'string', enum: ['config', 'store'] },
    status: { type: 'string', enum: ['unknown', 'online', 'unreachable', 'offline'] },
    settings: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** JSON schema of a device in create/update bodies; core validates the rest (driver settings). */
export const deviceBodySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' },
    name: { type: 'string', maxLength: 256 },
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    driver: { type: 'string', minLength: 1, maxLength: 64 },
    interval: {
      anyOf: [
        { type: 'string', maxLength: 32 },
        { type: 'integer', minimum: 1 },
      ],
    },
    labels: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string', maxLength: 256 } },
    parent: { type: 'string', maxLength: 128 },
    location: {
      type: 'object',
      required: ['lat', 'lon'],
      properties: {
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lon: { type: 'number', minimum: -180, maximum: 180 },
        address: { type: 'string', maxLength: 512 },
      },
      additionalProperties: false,
    },
    enabled: { type: 'boolean' },
  },
  additionalProperties: { type: 'object' },
} as const;

/** A point in time from a query: `now`, `-1h` (relative), epoch milliseconds or an ISO date. */
export function parseTime(value: string | undefined, fallback: number, now: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  if (value === 'now') return now;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  if (value.startsWith('-')) {
    try {
      return now - parseDuration(value.slice(1));
    } catch {
      throw new HttpError(400, `${name}: "${value}" is not a duration like -1h`);
    }
  }
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new HttpError(400, `${name}: "${value}" is not "now", -<duration>, epoch ms or an ISO date`);
  return t;
}

/** A duration from a query, with the query's name in the error. */
export function parseStep(value: string | undefined, fallback: number, name = 'step'): number {
  if (value === undefined || value === '') return fallback;
  try {
    const ms = /^\d+$/.test(value) ? Number(value) : parseDuration(value);
    if (ms <= 0) throw new Error('not positive');
    return ms;
  } catch {
    throw new HttpError(400, `${name}: "${value}" is not a positive duration like 60s`);
  }
}

/** Strips the API-only fields before a device goes to core. */
export function deviceInput(body: Record<string, unknown>): Device {
  return body as Device;
}
