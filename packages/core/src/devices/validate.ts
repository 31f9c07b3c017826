import { z } from 'zod';
import { settingsSchemaOf } from '../driver.js';
import { parseDuration } from '../duration.js';
import { ErrorCodes, monitorError } from '../errors.js';
import type { Device, Driver } from '../types.js';
import type { AddressPolicy } from './address-policy.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const duration = z.union([z.number(), z.string()]).superRefine((v, ctx) => {
  try {
    if (parseDuration(v) < 100) ctx.addIssue({ code: 'custom', message: 'must be at least 100ms' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** The fields core knows about a device; driver settings pass through to the driver's schema. */
export const deviceSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'letters, digits, ".", "_" and "-", at most 128, not starting with a symbol',
      ),
    name: z.string().min(1).max(200).optional(),
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[^\s/]+$/, 'a host name or address without spaces or slashes'),
    port: z.number().int().min(1).max(65535).optional(),
    driver: z.string().min(1),
    interval: duration.optional(),
    labels: z
      .record(
        z.string().regex(LABEL_NAME, 'label names are letters, digits and "_", not starting with a digit'),
        z.string().max(1024),
      )
      .refine((l) => !('device' in l), 'the label "device" is set by the monitor')
      .optional(),
    parent: z.string().min(1).optional(),
    location: z
      .object({
        lat: z.number().min(-90).max(90),
        lon: z.number().min(-180).max(180),
        address: z.string().optional(),
      })
      .optional(),
    enabled: z.boolean().optional(),
  })
  .passthrough();

/** Formats zod issues as `path: message; …` for error messages. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

/**
 * Validates a device and its driver settings; returns the device with the driver's parsed
 * settings under `device[kind]` (what `poll` receives). Throws a MonitorError naming the device and the field; with a `policy`, also when
 * `host` is an address the policy refuses (naming the rule).
 */
export function validateDevice(
  input: unknown,
  drivers: ReadonlyMap<string, Driver>,
  policy?: AddressPolicy,
): Device {
  const label =
    input && typeof input === 'object' && typeof (input as { id?: unknown }).id === 'string'
      ? `device "${(input as { id: string }).id}"`
      : 'device';
  const parsed = deviceSchema.safeParse(input);
  if (!parsed.success) {
    throw monitorError(ErrorCodes.DEVICE_INVALID, `${label}: ${formatIssues(parsed.error.issues)}`);
  }
  const device = parsed.data as Device;
  const refused = policy?.check(device.host);
  if (refused) throw monitorError(ErrorCodes.DEVICE_INVALID, `${label}: host: ${refused}`);
  if (device.parent === device.id) {
    throw monitorError(ErrorCodes.DEVICE_INVALID, `${label}: parent: a device cannot be its own parent`);
  }
  const driver = drivers.get(device.driver);
  if (!driver) {
    const known = [...drivers.keys()].join(', ') || 'none';
    throw monitorError(
      ErrorCodes.DRIVER_UNKNOWN,
      `${label}: driver: no driver "${device.driver}" is registered (known: ${known})`,
    );
  }
  // Parsed once, here: the driver's `poll` receives this output and never parses again.
  const schema = settingsSchemaOf(driver);
  if (schema) {
    const settings = schema.safeParse(device[driver.kind] ?? {});
    if (!settings.success) {
      throw monitorError(
        ErrorCodes.DEVICE_INVALID,
        `${label}: ${formatIssues(settings.error.issues, driver.kind)}`,
      );
    }
    return { ...device, [driver.kind]: settings.data };
  }
  return device;
}

/** Throws when setting `parent` on `id` would close a loop in the topology. */
export function checkParentLoop(
  id: string,
  parent: string | undefined,
  parentOf: (id: string) => string | undefined,
): void {
  const seen = new Set([id]);
  for (let p = parent; p !== undefined; p = parentOf(p)) {
    if (seen.has(p)) {
      throw monitorError(
        ErrorCodes.DEVICE_INVALID,
        `device "${id}": parent: "${parent}" leads back to "${id}" (a loop)`,
      );
    }
    seen.add(p);
  }
}
