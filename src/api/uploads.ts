// Uploads: files a patient adds (C-CDA, FHIR JSON/NDJSON, PDF, images, text), filed by a job.
import { z } from 'zod';

export const UPLOAD_STATES = ['processing', 'done', 'failed'] as const;

export const Upload = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    contentType: z.string().describe('judged from the bytes: application/xml (C-CDA), application/fhir+json, application/fhir+ndjson, application/pdf, image/jpeg, image/png, text/plain'),
    size: z.int(),
    state: z.enum(UPLOAD_STATES),
    resources: z.int().describe('records filed from the file'),
    categories: z.array(z.string()).describe('the binder categories they were filed in'),
    error: z.string().optional().describe('why a failed upload was not filed'),
    warnings: z.array(z.string()).describe('e.g. a patient name or birth date that differs from the account, parts not kept'),
    category: z.string().nullable().describe('the category the patient chose'),
    title: z.string().nullable(),
    date: z.string().nullable(),
    source: z.string().describe('how the binder names the upload as a source'),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .describe('An uploaded file and what was filed from it');

export const UploadList = z.object({ uploads: z.array(Upload) });
export const UploadParams = z.object({ id: z.uuid() });
export const UploadAccepted = z.object({ id: z.uuid() });

export type UploadState = (typeof UPLOAD_STATES)[number];
export type Upload = z.infer<typeof Upload>;
export type UploadList = z.infer<typeof UploadList>;
