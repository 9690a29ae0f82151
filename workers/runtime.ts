// Runs queue workers and shuts them down gracefully: on SIGTERM/SIGINT the workers stop taking
// jobs and finish the ones in flight, then queues and connections close, then the process exits 0.
import type { Processor, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { QueueFactory } from '../src/queue/connection.js';

export interface WorkerDefinition {
  queue: string;
  processor: Processor;
  concurrency: number;
}

export interface WorkerRuntime {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(
  factory: QueueFactory,
  definitions: WorkerDefinition[],
  log: Logger,
  /** Lock and stall-check timing; tests shorten them to see a killed worker's job recovered quickly. */
  timing: { lockDuration?: number; stalledInterval?: number } = {},
): WorkerRuntime {
  const workers = definitions.map((definition) => {
    const worker = factory.createWorker(definition.queue, definition.processor, { concurrency: definition.concurrency, ...timing });
    worker.on('failed', (job, error) =>
      log.warn({ queue: definition.queue, jobId: job?.id, attemptsMade: job?.attemptsMade, reason: error.message }, 'job failed'),
    );
    worker.on('error', (error) => log.error({ queue: definition.queue, err: error }, 'worker error'));
    return worker;
  });
  log.info({ queues: definitions.map((d) => d.queue), store: factory.kind }, 'workers started');
  return {
    workers,
    close: async () => {
      // close() waits for the jobs in flight; workers go before the connections they use.
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
