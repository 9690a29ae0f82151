// Every queue a worker process serves, with its processor.
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import type { Pool } from '../src/db/pool.js';
import type { QueueFactory } from '../src/queue/connection.js';
import type { WorkerDefinition } from './runtime.js';

export interface WorkerDeps {
  config: Config;
  pool: Pool;
  factory: QueueFactory;
  log: Logger;
}

export function workerDefinitions(_deps: WorkerDeps): WorkerDefinition[] {
  return [];
}
