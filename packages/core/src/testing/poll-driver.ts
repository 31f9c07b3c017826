import { formatIssues } from '../devices/validate.js';
import { settingsSchemaOf } from '../driver.js';
import { ErrorCodes, monitorError } from '../errors.js';
import type { Device, Driver, PollContext, PollResult } from '../types.js';
import { createFakeLogger } from './fake-logger.js';

/**
 * Polls a device with a driver directly, as core would: parses `device[kind]` with the driver's
 * schema first (throwing a MonitorError naming the device and field when it is invalid), then
 * calls `poll` with the parsed settings. `ctx` defaults to a signal that never aborts and a
 * fake logger. For driver tests that need no monitor.
 */
export function pollDriver<S>(
  driver: Driver<S>,
  device: Device,
  ctx: Partial<PollContext> = {},
): Promise<PollResult> {
  const schema = settingsSchemaOf(driver as Driver);
  const raw = (device as Record<string, unknown>)[driver.kind];
  let settings = raw as S;
  if (schema) {
    const parsed = schema.safeParse(raw ?? {});
    if (!parsed.success) {
      const message = `device "${device.id}": ${formatIssues(parsed.error.issues, driver.kind)}`;
      throw monitorError(ErrorCodes.DEVICE_INVALID, message);
    }
    settings = parsed.data as S;
  }
  return driver.poll(device, settings, {
    signal: ctx.signal ?? new AbortController().signal,
    logger: ctx.logger ?? createFakeLogger(),
  });
}
