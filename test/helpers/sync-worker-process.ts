// A real worker process for the crash and scale-out tests: the production wiring (startWorkers),
// printing "start <jobId>" when it takes a sync job.
import { SYNC_QUEUE } from '../../src/jobs/sync.js';
import { exitGracefullyOnSignals } from '../../src/lifecycle.js';
import { FAST_SYNC_SETTINGS, startTestWorkers } from './workers.js';

const workers = await startTestWorkers(process.env.QUEUE_PREFIX!, FAST_SYNC_SETTINGS, {
  concurrency: process.env.WORKER_CONCURRENCY ?? '1',
  poolSize: 4,
  name: 'carebinder-test-worker-process',
  timing: { lockDuration: 2_000, stalledInterval: 1_000 },
});
for (const worker of workers.workers.filter((w) => w.name === SYNC_QUEUE)) worker.on('active', (job) => console.log(`start ${job.id}`));
console.log('ready');
exitGracefullyOnSignals(() => workers.close());
