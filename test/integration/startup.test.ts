import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function start(entry: string, env: NodeJS.ProcessEnv) {
  // PATH and HOME only: nothing from the developer's shell leaks in.
  return spawnSync(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('startup with bad configuration', () => {
  it.each([
    ['src/server.ts', 'CAREBINDER_SECRET_KEY', undefined, 'CAREBINDER_SECRET_KEY is not set'],
    ['src/server.ts', 'PORT', 'http', 'PORT is malformed'],
    ['workers/main.ts', 'DATABASE_URL', undefined, 'DATABASE_URL is not set'],
    ['workers/main.ts', 'REDIS_URL', 'localhost:6379', 'REDIS_URL is malformed'],
    ['workers/main.ts', 'METRICS_PORT', 'metrics', 'METRICS_PORT is malformed'],
    ['src/server.ts', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT is malformed'],
  ])('%s stops with one line naming %s', (entry, name, value, message) => {
    const result = start(entry, testEnv({ [name]: value }));
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(result.stdout).toBe('');
  });
});
