import { describeError } from './errors.js';
import type { Clock, HealthCheck, HealthCheckResult, HealthReport, HealthState } from './types.js';

const RANK: Record<HealthState, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * Health checks of the monitor and its plugins, aggregated into one report: `fail` when a
 * critical check fails, `warn` when anything else is not passing. A check that throws or takes
 * longer than the timeout counts as failed.
 */
export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 5000,
  ) {}

  add(check: HealthCheck): void {
    if (this.#checks.has(check.name)) throw new Error(`health check "${check.name}" is already registered`);
    this.#checks.set(check.name, check);
  }

  names(): string[] {
    return [...this.#checks.keys()];
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.#checks.values()].map(async (check) => {
        const started = this.clock.now();
        const result = await this.#run(check);
        const critical = check.critical !== false;
        return [check.name, { ...result, critical, durationMs: this.clock.now() - started }] as const;
      }),
    );
    let status: HealthState = 'pass';
    for (const [, r] of entries) {
      const effective: HealthState = r.status === 'fail' && !r.critical ? 'warn' : r.status;
      if (RANK[effective] > RANK[status]) status = effective;
    }
    return { status, checks: Object.fromEntries(entries) };
  }

  async #run(check: HealthCheck): Promise<HealthCheckResult> {
    let timer: unknown;
    const timeout = new Promise<HealthCheckResult>((resolve) => {
      timer = this.clock.setTimeout(
        () => resolve({ status: 'fail', message: `check timed out after ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
    } catch (err) {
      return { status: 'fail', message: describeError(err).message };
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}
