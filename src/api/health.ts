// Liveness and readiness probes (not under /api: no session needed).
import { z } from 'zod';

export const Live = z.object({ status: z.literal('ok') });

const Check = z.enum(['up', 'down']);
export const ReadinessChecks = z.object({ database: Check, queue: Check, queueStore: z.enum(['redis', 'postgres']).describe('where the jobs live') });
export const Ready = z.object({ status: z.literal('ready'), checks: ReadinessChecks });

export type Live = z.infer<typeof Live>;
export type Ready = z.infer<typeof Ready>;
