import { CoreErrors, MonitorError } from '@ispmonitor/core';

/** Exit codes of every `ispmonitor` command. */
export const ExitCode = {
  /** Done, healthy. */
  OK: 0,
  /** The command ran and failed (a device did not answer, the database is unhealthy, …). */
  FAILURE: 1,
  /** Bad usage or an invalid config: nothing was attempted. */
  USAGE: 2,
} as const;

/** Thrown by commands to end with a message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.FAILURE,
  ) {
    super(message);
  }
}

/** Core's errors that mean the input (config file, overrides, a device) is wrong. */
const USAGE_CODES = new Set<string>([
  CoreErrors.CONFIG_INVALID.code,
  CoreErrors.CONFIG_SECRET.code,
  CoreErrors.DEVICE_INVALID.code,
]);

/** Config and validation errors are usage errors (2); anything else a failure (1). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof MonitorError && USAGE_CODES.has(err.code)) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}
