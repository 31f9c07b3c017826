import { MonitorError } from '@ispmonitor/core';

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

/** Config and validation errors are usage errors (2); anything else a failure (1). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (
    err instanceof MonitorError &&
    (err.code === 'ISPM_CONFIG_INVALID' || err.code === 'ISPM_CONFIG_SECRET')
  ) {
    return ExitCode.USAGE;
  }
  if (err instanceof MonitorError && err.code === 'ISPM_DEVICE_INVALID') return ExitCode.USAGE;
  return ExitCode.FAILURE;
}
