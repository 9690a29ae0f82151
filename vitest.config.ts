import { defineConfig } from 'vitest/config';

// One run, three tiers by folder: test/unit (pure, no services), test/integration
// (real PostgreSQL + Redis), test/e2e and test/sandbox (real HTTP servers).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
