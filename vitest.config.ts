import { defineConfig } from 'vitest/config';

// Four tiers, one vitest project each (`npm run test:<tier>`; `npm test` runs them all):
// - unit: pure functions, no services and no database setup (passes with PostgreSQL and Redis down);
// - integration: the app and its plugins on real PostgreSQL and Redis;
// - e2e: over HTTP against the sandbox hospitals (test/e2e), and the sandbox's own conformance (test/sandbox);
// - browser: the patient journey in Debian's chromium.
// Only the tiers that use the services get the global setup that creates (and drops) the run's database.
const SERVICES_SETUP = ['test/helpers/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: SERVICES_SETUP } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/sandbox/**/*.test.ts'], globalSetup: SERVICES_SETUP } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], globalSetup: SERVICES_SETUP } },
    ],
  },
});
