// Where the tests find the real services. Tests own database carebinder_test and Redis db 1.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';

export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * Each test run gets a database of its own (named by the runner's process id, set by the global
 * setup and inherited by the test processes), so concurrent runs never drop each other's data.
 */
export const TEST_DATABASE_NAME = process.env.CAREBINDER_TEST_DATABASE ?? `carebinder_test_${process.pid}`;
export const TEST_DATABASE_URL = databaseUrlFor(TEST_DATABASE_NAME);
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
/** Fixed for the whole run so every test file can decrypt what another stored. */
export const TEST_SECRET_KEY = process.env.TEST_SECRET_KEY ?? 'q0eCZ0wJcQpIhx0nN3m1o3h0cxF2n2H9u7qk1e3Xn3I=';

export function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    CAREBINDER_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3999',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(overrides));
}

/** A queue prefix of its own per test file, so files running in parallel never share jobs. */
export function uniquePrefix(label: string): string {
  return `cbtest-${label}-${randomBytes(4).toString('hex')}`;
}
