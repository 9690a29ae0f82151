// A real worker process for the crash and scale-out tests: the production wiring (startWorkers),
// printing "start <jobId>" when it takes a sync job (read from the workers' own "job started" log
// line, which is written from the moment each worker exists).
import { Writable } from 'node:stream';
import { SYNC_QUEUE } from '../../src/jobs/sync.js';
import { exitGracefullyOnSignals } from '../../src/lifecycle.js';
import { createLogger } from '../../src/logger.js';
import { FAST_SYNC_SETTINGS, startTestWorkers } from './workers.js';

const starts = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (!line.includes('"job started"')) continue;
      const entry = JSON.parse(line) as { queue?: string; jobId?: string };
      if (entry.queue === SYNC_QUEUE) console.log(`start ${entry.jobId}`);
    }
    done();
  },
});

const workers = await startTestWorkers(process.env.QUEUE_PREFIX!, FAST_SYNC_SETTINGS, {
  log: createLogger('debug', 'test-worker-process', starts),
  concurrency: process.env.WORKER_CONCURRENCY ?? '1',
  poolSize: 4,
  name: 'carebinder-test-worker-process',
  timing: { lockDuration: 2_000, stalledInterval: 1_000 },
});
console.log('ready');
exitGracefullyOnSignals(() => workers.close());
