// Headless Chromium and the UI build, as the browser tests (examples/server/test/support/browser.ts)
// and the UI benchmark (bench/support/ui-*.mjs) both use them: plain JavaScript so the benchmark
// imports it without a compile step, typed for the tests by chromium.d.mts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's Chromium; neither tests nor benchmarks ever download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep Chromium headless, off the network (no QUIC, updates, sync) and quiet. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** Launches {@link CHROMIUM} with {@link CHROMIUM_ARGS}. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/**
 * Builds the UI bundle (Vite, `examples/server/ui/vite.config.ts`) into `examples/server/ui/dist`.
 * `stdio` as for `execFileSync`: the tests keep the output for the error, the benchmark drops it.
 */
export function buildUiBundle(stdio = 'pipe') {
  const vite = join(REPO, 'node_modules/vite/bin/vite.js');
  const config = join(REPO, 'examples/server/ui/vite.config.ts');
  execFileSync(process.execPath, [vite, 'build', '--config', config], { cwd: REPO, stdio });
}
