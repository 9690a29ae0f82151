// Records requests: a letter to one provider under the HIPAA right of access (45 CFR 164.524),
// asking for categories of the binder and the events the checklist found missing; and the
// patient's own details (name, birth date, address, phone) that the letter states.
import { z } from 'zod';
import { CATEGORY_IDS } from '../records/categories.js';
import { GapEvent, GAP_KINDS } from './checklist.js';

export const REQUEST_STATES = ['draft', 'sent', 'received', 'cancelled'] as const;
export const DELIVERIES = ['electronic', 'paper', 'pickup'] as const;
/** HIPAA: a covered entity acts on a request for access within 30 days (45 CFR 164.524(b)(2)). */
export const REQUEST_DUE_DAYS = 30;

const Line = (max: number) => z.string().trim().min(1).max(max);

export const RequestOrganization = z.object({
  name: Line(200),
  address: Line(500).optional(),
  fax: Line(50).optional(),
  email: z.email().max(254).optional(),
});

export const NewRecordsRequest = z
  .object({
    organization: RequestOrganization,
    categories: z.array(z.enum(CATEGORY_IDS)).max(CATEGORY_IDS.length).default([]),
    gapIds: z.array(z.string().regex(/^[a-z-]+:\d{1,18}$/, 'a gap id from GET /api/checklist')).max(200).optional(),
    from: z.iso.date().optional().describe('records dated from this day (YYYY-MM-DD)'),
    to: z.iso.date().optional().describe('records dated up to this day (YYYY-MM-DD)'),
    delivery: z.enum(DELIVERIES).default('electronic'),
  })
  .refine((request) => request.categories.length > 0 || (request.gapIds?.length ?? 0) > 0, { message: 'Ask for at least one category or one gap.', path: ['categories'] })
  .refine((request) => !request.from || !request.to || request.from <= request.to, { message: '"from" is after "to".', path: ['from'] });

export const RequestGap = z.object({ id: z.string(), kind: z.enum(GAP_KINDS), category: z.enum(CATEGORY_IDS), reason: z.string(), event: GapEvent });

export const RecordsRequest = z.object({
  id: z.uuid(),
  status: z.enum(REQUEST_STATES),
  organization: RequestOrganization,
  categories: z.array(z.enum(CATEGORY_IDS)),
  gaps: z.array(RequestGap).describe('the events asked for, as the checklist named them when the request was made'),
  askedFor: z.array(z.string()).describe('what the letter asks for, line by line: the categories in the leaflet\'s words, then the events with their dates'),
  from: z.string().nullable(),
  to: z.string().nullable(),
  delivery: z.enum(DELIVERIES),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
  dueAt: z.iso.datetime().nullable().describe('30 days after it was sent'),
  overdue: z.boolean().describe('sent, not received or cancelled, and past its due date'),
  receivedAt: z.iso.datetime().nullable(),
  cancelledAt: z.iso.datetime().nullable(),
});

export const RecordsRequestCreated = z.object({ id: z.uuid(), status: z.literal('draft') });
export const RecordsRequestList = z.object({ requests: z.array(RecordsRequest) });
export const RecordsRequestParams = z.object({ id: z.uuid() });
export const RecordsRequestUpdate = z.object({
  status: z.enum(['sent', 'received', 'cancelled']),
  sentAt: z.iso.datetime({ offset: true }).optional().describe('when it was sent, if not now (status sent only)'),
});

// ---- the patient's details

export const PatientDetailsFields = z.object({
  name: z.string().trim().max(200).nullable(),
  birthDate: z.iso.date().nullable(),
  address: z.string().trim().max(500).nullable(),
  phone: z.string().trim().max(50).nullable(),
});

export const PatientDetailsUpdate = PatientDetailsFields.partial().refine((update) => Object.keys(update).length > 0, { message: 'Send at least one of name, birthDate, address, phone.' });

export const MedicalRecordNumber = z.object({ value: z.string(), source: z.string().describe('the portal that gave it') });

export const PatientDetails = PatientDetailsFields.extend({
  proposed: PatientDetailsFields.describe("what the linked portals' Patient records say"),
  recordNumbers: z.array(MedicalRecordNumber).describe('medical record numbers (Patient.identifier of type MR) the portals gave'),
});

export type RequestState = (typeof REQUEST_STATES)[number];
export type Delivery = (typeof DELIVERIES)[number];
export type RequestOrganization = z.infer<typeof RequestOrganization>;
export type NewRecordsRequest = z.infer<typeof NewRecordsRequest>;
export type RequestGap = z.infer<typeof RequestGap>;
export type RecordsRequest = z.infer<typeof RecordsRequest>;
export type RecordsRequestUpdate = z.infer<typeof RecordsRequestUpdate>;
export type PatientDetailsFields = z.infer<typeof PatientDetailsFields>;
export type PatientDetails = z.infer<typeof PatientDetails>;
export type MedicalRecordNumber = z.infer<typeof MedicalRecordNumber>;
