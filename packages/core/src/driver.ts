import type { ZodType, z } from 'zod';
import type {
  Device,
  Driver,
  DriverWorkerEntry,
  Labels,
  PollContext,
  PollResult,
  Sample,
  UnparsedSettings,
} from './types.js';

/** The settings type a schema gives a driver: its parsed output, or `UnparsedSettings` without one. */
export type SettingsOf<S extends ZodType | undefined> = S extends ZodType ? z.output<S> : UnparsedSettings;

/**
 * A device for a given driver, its settings typed from the driver's schema input (defaults
 * optional): `const r1: DeviceFor<typeof tcpDriver> = { id, host, driver: 'tcp', tcp: { ports: [22] } }`.
 * Typed end to end: the same schema types what a device gives and what `poll` receives.
 */
export type DeviceFor<D extends { readonly kind: string; readonly settings?: ZodType }> = Device & {
  driver: D['kind'];
} & {
  [K in D['kind']]?: D['settings'] extends ZodType ? z.input<D['settings']> : UnparsedSettings;
};

/** What a driver author writes; `defineDriver` checks it and returns the `Driver`. */
export interface DriverDefinition<S extends ZodType | undefined, K extends string = string> {
  /** The value of `device.driver` this driver serves, and the key of its settings on a device. */
  kind: K;
  /** Schema of `device[kind]`; its output is what `poll` receives as `settings`. */
  settings?: S;
  /** Polls one device; `settings` were parsed by core when the device was added or changed. */
  poll(device: Device, settings: SettingsOf<S>, ctx: PollContext): Promise<PollResult>;
  /** Releases sockets and connections; the plugin that provides the driver calls it at stop. */
  close?(): Promise<void>;
  /** Opt-in to `poller.workers` (see `DriverWorkerEntry`). */
  worker?: DriverWorkerEntry;
}

/**
 * Fields of a device that core owns; every other field of a device is a driver's settings. A
 * driver of one of these kinds would keep its settings where core keeps the device's own field
 * (`labels`, `host`, …).
 */
export const DEVICE_FIELDS = [
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
] as const satisfies readonly (keyof Device)[];
const deviceFields: ReadonlySet<string> = new Set(DEVICE_FIELDS);

const KIND = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Why a driver cannot be registered, or undefined when it can. */
export function driverProblem(driver: { kind?: unknown; poll?: unknown }): string | undefined {
  if (typeof driver?.kind !== 'string' || !KIND.test(driver.kind)) {
    return `a driver's kind must be letters, digits, "_" or "-", starting with a letter (got ${JSON.stringify(driver?.kind)})`;
  }
  if (deviceFields.has(driver.kind)) {
    return `a driver cannot be of kind "${driver.kind}": a device's "${driver.kind}" is core's own field, not driver settings`;
  }
  if (typeof driver.poll !== 'function') return `driver "${driver.kind}" has no poll function`;
  return undefined;
}

/**
 * Defines a driver whose settings are typed end to end: `settings` is a zod schema of
 * `device[kind]`, and `poll` receives its parsed output. Core parses a device's settings once,
 * when the device is added or changed (refusing an invalid one with an error naming the device
 * and the field), so `poll` never parses and never sees invalid settings.
 *
 * ```ts
 * export const tcpDriver = defineDriver({
 *   kind: 'tcp',
 *   settings: z.object({ ports: z.array(z.number().int()).default([22]) }),
 *   async poll(device, settings, { signal }) { … settings.ports … },
 * });
 * ```
 *
 * Members beyond the contract (diagnostics, `forget(id)`) are kept and typed. Throws a TypeError
 * at once for a kind that is not a plain name or that is one of the device's own fields
 * (`labels`, `host`, …), and for a missing `poll`.
 */
export function defineDriver<
  S extends ZodType | undefined = undefined,
  K extends string = string,
  E extends object = Record<never, never>,
>(definition: DriverDefinition<S, K> & E): Driver<SettingsOf<S>> & { readonly kind: K } & E {
  const problem = driverProblem(definition);
  if (problem) throw new TypeError(`defineDriver: ${problem}`);
  // The definition is the driver: what the author wrote stays reachable, extra members (a
  // driver's diagnostics, getters) included.
  return definition as Driver<SettingsOf<S>> & { readonly kind: K } & E;
}

/** The settings core keeps for a device of this driver: `device[kind]`, as parsed at validation. */
export function settingsFor(driver: Driver, device: Device): UnparsedSettings {
  return (device as Record<string, unknown>)[driver.kind] as UnparsedSettings;
}

/** The driver's settings schema, when it has one. */
export function settingsSchemaOf(driver: Driver): ZodType | undefined {
  return driver.settings;
}

/**
 * Appends a sample labelled with its device to a poll's samples — unless the value is missing or
 * not finite (a column the device did not answer, a ratio over a zero total), which a driver
 * reports by leaving the series out rather than as 0 or NaN. Returns whether it was appended.
 */
export function pushSample(
  samples: Sample[],
  at: { device: string; ts: number },
  name: string,
  labels: Labels,
  value: Sample['value'] | undefined,
): boolean {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return false;
  samples.push({ name, labels: { device: at.device, ...labels }, value, ts: at.ts });
  return true;
}
