import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createQueueFactory } from '../../src/queue/connection.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from '../helpers/services.js';

const script = fileURLToPath(new URL('../helpers/slow-worker-process.ts', import.meta.url));

function waitForLine(lines: string[], expected: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (lines.some((line) => line.startsWith(expected))) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`no "${expected}" line; got: ${lines.join(' | ')}`));
      }
    }, 20);
  });
}

describe('worker process shutdown', () => {
  it('finishes the job in flight on SIGTERM, then exits 0', async () => {
    const prefix = uniquePrefix('shutdown');
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, DATABASE_URL: TEST_DATABASE_URL, QUEUE_PREFIX: prefix, JOB_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const factory = createQueueFactory({ redisUrl: TEST_REDIS_URL, databaseUrl: TEST_DATABASE_URL, role: 'producer', prefix });
    const queue = factory.createQueue('slow');
    try {
      await waitForLine(lines, 'ready');
      const job = await queue.add('slow', {});
      await waitForLine(lines, `started ${job.id}`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines).toContain('closed');
      expect(await queue.getJobState(job.id!)).toBe('completed');
    } finally {
      child.kill('SIGKILL');
      await queue.obliterate({ force: true });
      await queue.close();
      await factory.close();
    }
  });
});
