import { DEVICE_FIELDS, type Device, type DeviceState } from '@ispmonitor/core';

/** The fields of a device the API shows: core's own. Driver settings hold credentials and are never returned. */
const PUBLIC_FIELDS = DEVICE_FIELDS;

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
    // Certificates from the API are PEM text: a file path is for the config file only, so an
    // API caller can never make the server open a file (issue 21). The driver checks the rest.
    mikrotik: {
      type: 'object',
      properties: {
        ca: { type: 'string', maxLength: 65_536, pattern: '-----BEGIN CERTIFICATE-----' },
      },
    },
  },
  additionalProperties: { type: 'object' },
} as const;

/** Strips the API-only fields before a device goes to core. */
export function deviceInput(body: Record<string, unknown>): Device {
  const { keepCredentials: _apiOnly, ...device } = body;
  return device as Device;
}
