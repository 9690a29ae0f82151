// The error answer of every route: application/problem+json (RFC 9457), see src/errors.ts.
import { z } from 'zod';

export const FieldError = z.object({ path: z.string(), message: z.string() });

export const Problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    errors: z.array(FieldError).optional().describe('field-level details of a validation failure'),
  })
  .describe('RFC 9457 problem details; extension members (such as the readiness checks) may be added');

export type Problem = z.infer<typeof Problem>;
