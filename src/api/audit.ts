// The audit trail: who read or changed what of the patient's account, when and from where.
import { z } from 'zod';

export const AuditQuery = z.object({
  cursor: z.string().max(64).optional().describe('the `next` of the previous page'),
});

export const AuditEvent = z
  .object({
    at: z.iso.datetime(),
    action: z
      .string()
      .describe(
        'sign-in, sign-in.failed, sign-in.held-back, sign-out, record.read, resource.read, document.read, export.read, share.create, share.revoke, share.read, share.read-refused, link.start, link.create, link.remove, upload.create, upload.delete, notices.update, notices.unsubscribe',
      ),
    target: z.string().nullable().describe('what was acted on, as kind:id (e.g. resource:Observation/abc, export:pdf, link:<id>); null for the account itself'),
    ip: z.string().nullable().describe('the client address'),
    userAgent: z.string().nullable().describe('the client user agent (at most 512 characters)'),
  })
  .describe('One event of the audit trail');

export const AuditPage = z.object({
  events: z.array(AuditEvent).describe('newest first, at most 50'),
  next: z.string().nullable().describe('opaque cursor for the next (older) page, or null'),
});

export type AuditEvent = z.infer<typeof AuditEvent>;
export type AuditPage = z.infer<typeof AuditPage>;
