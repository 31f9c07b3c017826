import type { FastifyInstance } from 'fastify';
import { renderApiDocs } from './render.js';

/** The page loads only its own inline style and the UI's theme script: nothing else, from nowhere else. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'";

/**
 * `/api/docs`: the OpenAPI document (from @fastify/swagger) as a readable page, for signed-in
 * users like every API route. A browser without a session is sent to the login page, which comes
 * back here; other clients get the API's 401.
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  let page: string | undefined;

  // Hooks of this scope run for its route only, also on the guard's 401 (sent in onRequest).
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 401 || !String(req.headers.accept ?? '').includes('text/html')) return payload;
    reply.code(302).header('location', '/login?next=%2Fapi%2Fdocs').type('text/plain; charset=utf-8');
    return 'Sign in first: /login';
  });

  app.get('/api/docs', { schema: { hide: true } }, async (_req, reply) => {
    // The document is fixed once the app is ready: rendered on first use, then reused.
    page ??= renderApiDocs(app.swagger() as Parameters<typeof renderApiDocs>[0]);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-cache')
      .send(page);
  });
}
