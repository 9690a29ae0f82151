// A worker process for the graceful-shutdown test: the runtime under startWorkers (runWorkers)
// and the real signal handling, serving one queue whose jobs take a while.
import { createLogger } from '../../src/logger.js';
import { exitGracefullyOnSignals } from '../../src/lifecycle.js';
import { createQueueFactory } from '../../src/queue/connection.js';
import { runWorkers } from '../../src/jobs/workers.js';

const factory = createQueueFactory({
  redisUrl: process.env.REDIS_URL,
  databaseUrl: process.env.DATABASE_URL ?? '',
  role: 'worker',
  prefix: process.env.QUEUE_PREFIX,
});
const log = createLogger('silent', 'slow-worker');
const runtime = runWorkers(
  factory,
  [
    {
      queue: 'slow',
      concurrency: 1,
      processor: async (job) => {
        console.log(`started ${job.id}`);
        await new Promise((resolve) => setTimeout(resolve, Number(process.env.JOB_MS ?? 1500)));
        return { finishedAt: Date.now() };
      },
    },
  ],
  log,
);
await runtime.workers[0].waitUntilReady();
console.log('ready');
exitGracefullyOnSignals(async () => {
  await runtime.close();
  await factory.close();
  console.log('closed');
});
