// What is missing: the leaflet's categories with what each holds, and the clinical events whose
// record is absent (src/records/checklist.ts finds them), each with the organization to ask.
import { z } from 'zod';
import { CATEGORY_IDS } from '../records/categories.js';

export const CHECKLIST_STATES = ['have', 'missing', 'incomplete'] as const;
export const GAP_KINDS = ['operation-report', 'discharge-summary', 'pathology-report', 'imaging-report', 'radiation-summary'] as const;

export const ChecklistCategory = z.object({
  id: z.enum(CATEGORY_IDS),
  title: z.string(),
  status: z.enum(CHECKLIST_STATES).describe('missing: nothing filed; incomplete: something filed, but an event of the category has no record'),
  count: z.int().describe('binder items in the category'),
  lastDate: z.string().nullable().describe("the newest item's day (YYYY-MM-DD)"),
});

export const GapOrganization = z.object({
  name: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  fax: z.string().nullable(),
});

export const GapEvent = z.object({
  resourceType: z.string(),
  id: z.string().describe("the event's record id (GET /api/resources/:id)"),
  title: z.string(),
  date: z.string().nullable().describe('FHIR date or dateTime'),
  endDate: z.string().nullable().describe('the end of a stay or a course'),
});

export const ChecklistGap = z.object({
  id: z.string().describe('"<kind>:<record id>"; pass it in gapIds to POST /api/requests'),
  kind: z.enum(GAP_KINDS),
  category: z.enum(CATEGORY_IDS),
  reason: z.string(),
  event: GapEvent,
  organization: GapOrganization.nullable().describe("from the event's performer, service provider or location"),
});

export const Checklist = z.object({ categories: z.array(ChecklistCategory), gaps: z.array(ChecklistGap) });

export type ChecklistState = (typeof CHECKLIST_STATES)[number];
export type ChecklistCategory = z.infer<typeof ChecklistCategory>;
export type GapOrganization = z.infer<typeof GapOrganization>;
export type ChecklistGap = z.infer<typeof ChecklistGap>;
export type Checklist = z.infer<typeof Checklist>;
