import { defineConfig } from 'vitest/config';

/**
 * The template's own test set-up, used when this folder is a project of its own (`npm test`). In
 * the ISP Monitor repository the root vitest.config.ts runs the same tests as project
 * `plugin-template` instead.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
