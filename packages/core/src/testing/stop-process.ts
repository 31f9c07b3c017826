import type { ChildProcess } from 'node:child_process';

/**
 * Stops a test peer's process: SIGTERM, then SIGKILL if it has not exited after `graceMs` (a
 * peer finishing its own work on shutdown, such as Prometheus flushing its head, must not hang
 * the test's teardown on a loaded machine). Resolves once the process is gone.
 */
export function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
