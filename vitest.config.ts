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

/** Browser tests of the server: each starts a demo and a Chromium. */
const BROWSER_TESTS = [
  'test/ui.test.ts',
  'test/ui-alerts.test.ts',
  'test/ui-mobile.test.ts',
  'test/ui-reports.test.ts',
  'test/ui-router.test.ts',
  'test/ui-search.test.ts',
  'test/ui-shell.test.ts',
  'test/ui-topology.test.ts',
  'test/ui-topology-collapsed.test.ts',
];

/**
 * How a project's files run. The groups run one after the other:
 * - `unit`: in-process tests, files share a worker (no fresh module graph per file: that set-up
 *   cost more than these tests themselves), two workers;
 * - `services`: tests that start their own PostgreSQL, servers and demos, a fresh worker per
 *   file, two at a time (most of their time is spent waiting on a peer);
 * - `browser`: one demo and one Chromium at a time, after the UI was built once.
 */
const GROUPS = {
  unit: { isolate: false, maxWorkers: 2, sequence: { groupOrder: 0 } },
  services: { isolate: true, maxWorkers: 2, sequence: { groupOrder: 1 } },
  browser: {
    isolate: true,
    maxWorkers: 1,
    sequence: { groupOrder: 2 },
    globalSetup: [src('./examples/server/test/support/build-ui.global.ts')],
  },
};

const project = (dir: string, group: keyof typeof GROUPS, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: {
    name: dir.split('/').pop(),
    root: src(`./${dir}`),
    include: ['test/**/*.test.ts'],
    ...GROUPS[group],
    ...extra,
  },
});

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: [src('./vitest.setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      project('packages/core', 'unit'),
      project('packages/plugin-snmp', 'unit'),
      project('packages/plugin-mikrotik', 'unit'),
      project('packages/plugin-alerts', 'unit'),
      project('packages/simulator', 'unit'),
      project('examples/plugin-template', 'unit'),
      project('packages/plugin-postgres', 'services'),
      project('packages/plugin-cluster', 'services'),
      project('packages/plugin-remote-write', 'services'),
      project('examples/custom-app', 'services'),
      project('examples/server', 'services', { exclude: BROWSER_TESTS }),
      project('examples/server', 'browser', { name: 'server-browser', include: BROWSER_TESTS }),
      // Packs every package, installs the tarballs in a fresh project, builds and runs the examples there.
      project('test/packaging', 'services', { include: ['**/*.test.ts'], testTimeout: 300_000 }),
    ],
  },
});
