import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where `npx vite` (dev server) sends API calls: a running `ispmonitor` (default its API port). */
const api = process.env.ISPM_API ?? 'http://127.0.0.1:8080';

/**
 * The web UI: a static bundle the server serves from `ui/dist`. Everything it needs is bundled
 * (no CDN, no web fonts), so it works on a network without internet access.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app chunk plus uPlot: no need for a vendor split heuristic.
    chunkSizeWarningLimit: 300,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/health': { target: api },
    },
  },
});
