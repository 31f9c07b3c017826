import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Workspace packages resolve to their sources in tests, so tests never need a build first. */
const alias = [
  { find: /^@ispmonitor\/core\/testing$/, replacement: src('./packages/core/src/testing/index.ts') },
  { find: /^@ispmonitor\/core$/, replacement: src('./packages/core/src/index.ts') },
  { find: /^@ispmonitor\/plugin-snmp$/, replacement: src('./packages/plugin-snmp/src/index.ts') },
  { find: /^@ispmonitor\/plugin-mikrotik$/, replacement: src('./packages/plugin-mikrotik/src/index.ts') },
  { find: /^@ispmonitor\/plugin-postgres$/, replacement: src('./packages/plugin-postgres/src/index.ts') },
  { find: /^@ispmonitor\/plugin-alerts$/, replacement: src('./packages/plugin-alerts/src/index.ts') },
  { find: /^@ispmonitor\/plugin-cluster$/, replacement: src('./packages/plugin-cluster/src/index.ts') },
  {
    find: /^@ispmonitor\/plugin-remote-write$/,
    replacement: src('./packages/plugin-remote-write/src/index.ts'),
  },
  { find: /^@ispmonitor\/simulator$/, replacement: src('./packages/simulator/src/index.ts') },
];

const project = (dir: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name: dir.split('/').pop(), root: src(`./${dir}`), include: ['test/**/*.test.ts'], ...extra },
});

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: [src('./vitest.setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      project('packages/core'),
      project('packages/plugin-snmp'),
      project('packages/plugin-mikrotik'),
      project('packages/plugin-postgres'),
      project('packages/plugin-alerts'),
      project('packages/plugin-cluster'),
      project('packages/plugin-remote-write'),
      project('packages/simulator'),
      project('examples/plugin-template'),
      project('examples/custom-app'),
      project('examples/server'),
      // Packs every package, installs the tarballs in a fresh project, builds and runs the examples there.
      project('test/packaging', { include: ['**/*.test.ts'], testTimeout: 300_000 }),
    ],
  },
});
