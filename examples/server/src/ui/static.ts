import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';

/** The web UI's build output, next to the compiled server (`ui/dist` in the package). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The UI loads nothing from elsewhere; uPlot sets inline styles, hence 'unsafe-inline' for styles only. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";

/** Paths that belong to the API and probes: never answered with the UI. */
const NOT_UI = /^\/(api|health|ready|live|metrics|sd)(\/|$|\?)/;

/**
 * Serves the built web UI at `/`: hashed files under `/assets/` cached for a year, other files as
 * they are, and `index.html` for every other page (the UI routes with the History API). Paths are
 * resolved inside the folder, so `..` cannot leave it. Without a build, `/` explains how to make one.
 * The folder is `server.ui.dir`, by default the UI's build next to the compiled server.
 */
export async function uiRoutes(app: FastifyInstance): Promise<void> {
  const root = resolve(app.serverConfig.ui.dir ?? DEFAULT_UI_DIR);
  const built = existsSync(resolve(root, 'index.html'));
  if (!built)
    app.monitor.logger.warn(
      `web UI not found (${root}/index.html missing): set server.ui.dir to a built UI, or build it (npm run build in a source checkout)`,
    );

  const handler = async (req: { url: string }, reply: import('fastify').FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0] ?? '/');
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the path');
    }
    // API paths reach this catch-all only when no API route matched: a real 404, after auth.
    if (NOT_UI.test(path)) throw new HttpError(ServerErrors.NOT_FOUND, `no route GET ${path}`);
    if (!built) {
      return reply
        .type('text/plain; charset=utf-8')
        .send(
          'ISP Monitor: the web UI is not built (npm run build in a source checkout; the published package includes it).\nThe API is at /api/v1/ (see /api/openapi.json).\n',
        );
    }
    const file = resolve(root, `.${path}`);
    if ((file === root || file.startsWith(root + sep)) && path !== '/') {
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) {
        const immutable = path.startsWith('/assets/');
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(await readFile(file));
      }
      // A missing hashed asset is a 404, not the app: the browser asked for a file.
      if (path.startsWith('/assets/')) throw new HttpError(ServerErrors.NOT_FOUND, `no file ${path}`);
    }
    reply.header('cache-control', 'no-cache').header('content-security-policy', CSP);
    return reply.type(TYPES['.html'] as string).send(await readFile(resolve(root, 'index.html')));
  };
  app.get('/', { config: { public: true, ui: true }, schema: { hide: true } }, handler);
  app.get('/*', { config: { public: true, ui: true }, schema: { hide: true } }, handler);
}
