/**
 * What a driver test opens — emulated routers and drivers — closed after each test, so a failing
 * assertion leaves no socket behind. Call `closingRig()` once at the top of a test file.
 */
import type { Device, Driver, PollResult } from '@ispmonitor/core';
import { pollDriver } from '@ispmonitor/core/testing';
import { afterEach, expect } from 'vitest';
import { createMikrotikDriver, type MikrotikDriver, type MikrotikDriverOptions } from '../../src/driver.js';
import {
  pollContext,
  type RouterOsEmulator,
  type RouterOsEmulatorOptions,
  routerDevice,
  startRouterOsEmulator,
} from './emulator.js';

/** Opens routers and drivers that are closed after the current test. */
export interface Rig {
  /** Starts an emulated router. */
  router(options?: RouterOsEmulatorOptions): Promise<RouterOsEmulator>;
  /** Creates a driver. */
  driver(options?: MikrotikDriverOptions): MikrotikDriver;
  /** Starts a router, creates a driver, and gives the device `id` on that router (no settings). */
  setup(
    options: RouterOsEmulatorOptions,
    id: string,
    driverOptions?: MikrotikDriverOptions,
  ): Promise<{ router: RouterOsEmulator; driver: MikrotikDriver; device: Device }>;
}

/** Registers the `afterEach` that closes what the returned rig opened (drivers first). */
export function closingRig(): Rig {
  const routers: RouterOsEmulator[] = [];
  const drivers: MikrotikDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.close()));
    await Promise.all(routers.splice(0).map((e) => e.close()));
  });
  const rig: Rig = {
    async router(options) {
      const e = await startRouterOsEmulator(options);
      routers.push(e);
      return e;
    },
    driver(options) {
      const d = createMikrotikDriver(options);
      drivers.push(d);
      return d;
    },
    async setup(options, id, driverOptions) {
      const router = await rig.router(options);
      return { router, driver: rig.driver(driverOptions), device: routerDevice(id, router.port) };
    },
  };
  return rig;
}

/** Polls `device` once and asserts the poll was clean: no error, no part error. */
export async function pollClean(driver: Driver, device: Device): Promise<PollResult> {
  const result = await pollDriver(driver, device, pollContext());
  expect(result.error).toBeUndefined();
  expect(result.partErrors).toBeUndefined();
  return result;
}
