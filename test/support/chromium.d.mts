/** Types of chromium.mjs (plain JavaScript, shared by the browser tests and the UI benchmark). */
import type { StdioOptions } from 'node:child_process';
import type { Browser } from 'playwright-core';

/** Debian's Chromium; neither tests nor benchmarks ever download a browser. */
export const CHROMIUM: string;

/** Flags that keep Chromium headless, off the network (no QUIC, updates, sync) and quiet. */
export const CHROMIUM_ARGS: readonly string[];

/** Launches {@link CHROMIUM} with {@link CHROMIUM_ARGS}. */
export function launchChromium(): Promise<Browser>;

/** Builds the UI bundle (Vite) into `examples/server/ui/dist`; `stdio` as for `execFileSync` (default `pipe`). */
export function buildUiBundle(stdio?: StdioOptions): void;
