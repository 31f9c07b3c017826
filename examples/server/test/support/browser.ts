import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { buildUiBundle, CHROMIUM, launchChromium } from '../../../../test/support/chromium.mjs';
import { DEMO_LOGIN } from '../../src/cli/demo.js';

export { CHROMIUM };

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** The UI's build output. */
export const UI_DIST = join(REPO, 'examples/server/ui/dist');
/** Screenshots land here (gitignored). */
export const ARTIFACTS = join(REPO, 'test-artifacts/ui');

/**
 * Whether browser tests can run: Chromium present. In CI its absence is an error (CI must have
 * it); elsewhere the tests skip and say why.
 */
export function browserAvailability(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(CHROMIUM)) return { ok: true };
  const reason = `${CHROMIUM} is missing (Debian package "chromium")`;
  if (process.env.CI) throw new Error(`CI must provide Chromium: ${reason}`);
  return { ok: false, reason };
}

/**
 * Checks for Chromium once for a test file and says why `what` skips when it is missing; the
 * answer is for `describe.skipIf`.
 */
export function skipWithoutBrowser(what: string): boolean {
  const availability = browserAvailability();
  if (!availability.ok) console.warn(`${what} skipped: ${availability.reason}`);
  return !availability.ok;
}

/** Headless Chromium with the flags that keep it off the network and quiet (shared with the UI benchmark). */
export const launchBrowser: () => Promise<Browser> = launchChromium;

/**
 * Builds the UI (Vite) so the tests run what the sources say now. Run once per test run, by the
 * browser project's global setup (`build-ui.global.ts`): a build empties `ui/dist` first, so a
 * build in one test file would pull the assets from under a page another file has open.
 */
export function buildUi(): void {
  buildUiBundle('pipe');
  mkdirSync(ARTIFACTS, { recursive: true });
}

/** Checks that the global setup built the UI, and makes the screenshot folder. */
export function uiReady(): void {
  if (!existsSync(join(UI_DIST, 'index.html')))
    throw new Error(`${UI_DIST}/index.html is missing: the browser tests' global setup builds the UI`);
  mkdirSync(ARTIFACTS, { recursive: true });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.json': 'application/json',
};

const API_PREFIXES = ['/api/', '/health', '/ready', '/live'];

/**
 * The UI as the server would serve it: files from `ui/dist`, `index.html` for app routes, and
 * the API proxied (streaming, so server-sent events pass) to `apiUrl`. Used while the server does
 * not serve the UI itself; same origin for page and API, as in production.
 */
export async function serveUi(apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (API_PREFIXES.some((p) => path.startsWith(p))) {
      const up = request(
        {
          host: api.hostname,
          port: api.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: api.host },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    const file = normalize(join(UI_DIST, decodeURIComponent(path)));
    const inside = file.startsWith(UI_DIST);
    const found = inside && existsSync(file) && statSync(file).isFile();
    const target = found ? file : join(UI_DIST, 'index.html');
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control':
        found && path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(readFileSync(target));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether the API server already serves the UI at `/` (then no separate static server is needed). */
export async function serverServesUi(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiUrl}/`, { headers: { accept: 'text/html' } });
    const body = await res.text();
    return (
      res.ok && (res.headers.get('content-type') ?? '').includes('text/html') && body.includes('id="app"')
    );
  } catch {
    return false;
  }
}

/**
 * Where a page finds the UI for `apiUrl`: the API itself when it serves the UI (closing is then
 * nothing), else a static server proxying to it ({@link serveUi}).
 */
export async function uiOrigin(apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  if (await serverServesUi(apiUrl)) return { url: apiUrl, close: async () => {} };
  return serveUi(apiUrl);
}

/** Opens `url` (any route shows the login form) and logs in through the form, Enter submitting; resolves once the shell shows. */
export async function logIn(
  page: Page,
  url: string,
  login: { username: string; password: string } = DEMO_LOGIN,
): Promise<void> {
  await page.goto(url);
  await page.fill('#login-user', login.username);
  await page.fill('#login-pass', login.password);
  await page.press('#login-pass', 'Enter');
  await page.waitForSelector('.shell');
}

/** A logged-in console page, see {@link openConsole}. */
export interface Console {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Where the UI is served: the API itself when it serves the UI, else a static server proxying to it. */
  base: string;
  /** Closes the browser, then the static server (if any); the API is the caller's to stop. */
  close(): Promise<void>;
}

/** What {@link openConsole} may vary. */
export interface ConsoleOptions {
  /** The browser context's options (viewport, colour scheme, downloads). */
  context?: BrowserContextOptions;
  /** The login typed into the form; the demo's when omitted. */
  login?: { username: string; password: string };
  /** The first page opened (the login form shows on any route); `/` when omitted. */
  path?: string;
  /** Runs on the new page before it navigates: init scripts, listeners that must see every request. */
  beforeLogin?: (page: Page) => Promise<void> | void;
}

/** Chromium and the origin serving the UI for an API, see {@link openBrowser}. */
export interface UiBrowser {
  browser: Browser;
  /** Where the UI is served: the API itself when it serves the UI, else a static server proxying to it. */
  base: string;
  /** Closes the browser, then the static server (if any); the API is the caller's to stop. */
  close(): Promise<void>;
}

/**
 * Serves the UI for `apiUrl` ({@link uiOrigin}) and launches Chromium, no page open yet; if the
 * launch fails the static server is closed before the error is rethrown.
 */
export async function openBrowser(apiUrl: string): Promise<UiBrowser> {
  const ui = await uiOrigin(apiUrl);
  try {
    const browser = await launchBrowser();
    return {
      browser,
      base: ui.url,
      close: async () => {
        await browser.close();
        await ui.close();
      },
    };
  } catch (err) {
    await ui.close();
    throw err;
  }
}

/**
 * The set-up every browser test shares: serves the UI for `apiUrl` (the API itself when it serves
 * the UI), launches Chromium, opens one page and logs in through the form (Enter submits), waiting
 * for the shell. If any step fails, what it already opened is closed before the error is rethrown,
 * since the caller has nothing to close yet.
 */
export async function openConsole(apiUrl: string, options: ConsoleOptions = {}): Promise<Console> {
  const { browser, base, close } = await openBrowser(apiUrl);
  try {
    const context = await browser.newContext(options.context);
    const page = await context.newPage();
    await options.beforeLogin?.(page);
    await logIn(page, `${base}${options.path ?? '/'}`, options.login);
    return { browser, context, page, base, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Saves a screenshot of `page` as `test-artifacts/ui/<name>.png` (the viewport unless `fullPage`). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/** Path of the in-page accessibility helpers (`window.__a11y`). */
export const A11Y_SCRIPT = fileURLToPath(new URL('./browser-a11y.js', import.meta.url));
