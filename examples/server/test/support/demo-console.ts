import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type Demo, type DemoOptions, startDemo } from '../../src/cli/demo.js';
import { type Console, type ConsoleOptions, openConsole, uiReady } from './browser.js';

/** What a browser test file runs against: a demo and a console logged in to it. */
export interface DemoConsole {
  demo: Demo;
  ui: Console;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Where the UI is served (see {@link Console.base}). */
  base: string;
}

/** What {@link useDemoConsole} may vary besides the console itself ({@link ConsoleOptions}). */
export interface DemoConsoleOptions extends ConsoleOptions {
  /** Simulated SNMP routers of the demo. */
  routers: number;
  /** The demo's poll interval; `5s` when omitted. */
  interval?: DemoOptions['interval'];
  /** Runs once the demo is up, before the browser opens: routers to add, history to import. */
  prepare?: (demo: Demo) => Promise<void>;
  /** Runs once the console is open: the test file takes the handles it uses. */
  opened?: (env: DemoConsole) => void | Promise<void>;
  /** The set-up's time limit; 240 s when omitted (a loaded runner starts demos slowly). */
  timeoutMs?: number;
}

/**
 * The set-up most browser test files share, registered in the calling `describe`: before all its
 * tests, the UI build is checked, a demo starts on ports the system picks, `prepare` runs, and a
 * console logs in to it; after them, the console closes and the demo stops. The returned object
 * is filled in by that set-up: read it inside tests and hooks, not at collection.
 */
export function useDemoConsole(options: DemoConsoleOptions): DemoConsole {
  const env = {} as DemoConsole;
  const { routers, interval = '5s', prepare, opened, timeoutMs = 240_000, ...consoleOptions } = options;
  beforeAll(async () => {
    uiReady();
    env.demo = await startDemo({ apiPort: 0, metricsPort: 0, interval, routers, print: () => {} });
    await prepare?.(env.demo);
    env.ui = await openConsole(env.demo.server.urls.api, consoleOptions);
    ({ browser: env.browser, context: env.context, page: env.page, base: env.base } = env.ui);
    await opened?.(env);
  }, timeoutMs);
  afterAll(async () => {
    await env.ui?.close();
    await env.demo?.stop();
  });
  return env;
}
