// The unified record: the binder by category, the treatment summary and side effects, single
// resources and documents. The shapes are those of src/records/binder-fields.ts (item values,
// doses, study facts) and src/records/treatment-*.ts (the summary lines); ./domain-fit.ts checks
// at compile time that those types and these schemas have the same fields.
import { z } from 'zod';
import { CATEGORY_IDS } from '../records/categories.js';

/** A FHIR date or dateTime as the portal wrote it ("2024", "2024-03", "2024-03-05T10:00:00+01:00"). */
const FhirDate = z.string().describe('FHIR date or dateTime');
const RecordId = z.string().regex(/^\d{1,18}$/, 'a record id from the binder');

export const PortalSource = z.object({ portalId: z.string(), portalName: z.string() });

// ---- requests

export const Filters = z.object({
  portal: z.string().max(64).optional().describe('only records from this portal id'),
  from: z.iso.date().optional().describe('only records dated on or after this day (YYYY-MM-DD)'),
  to: z.iso.date().optional().describe('only records dated on or before this day (YYYY-MM-DD)'),
});
export const BinderQuery = Filters.extend({ category: z.string().optional().describe('comma-separated category ids to include') });
export const CategoryParams = z.object({ category: z.string() });
export const CategoryQuery = Filters.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const ResourceParams = z.object({ id: RecordId });
export const DocumentParams = z.object({ id: z.string().regex(/^(d\d{1,18}|e\d{1,18}-\d{1,4})$/, 'a document id from the binder') });

// ---- items

export const ReferenceRange = z.object({ low: z.number().optional(), high: z.number().optional(), text: z.string().optional() });

export const ResultComponent = z.object({
  title: z.string(),
  value: z.union([z.number(), z.string()]),
  unit: z.string().optional().describe('as a patient reads it (10*3/uL → ×10³/µL)'),
  display: z.string().describe('the value with its unit, ready to show: "128 mmHg"'),
});

export const ItemValue = z
  .object({
    value: z.union([z.number(), z.string()]).describe('a number for quantities; words for coded, text, boolean, range and ratio values; "128/82" for components'),
    unit: z.string().optional().describe('as a patient reads it ([iU] → IU), never a raw UCUM code'),
    comparator: z.string().optional().describe('"<", "<=", ">=" or ">" when the lab reported a bound rather than a value'),
    display: z.string().describe('the value, comparator and unit ready to show: "2,000 IU", "< 5 mg/L", "128/82 mmHg"'),
    referenceRange: ReferenceRange.optional(),
    interpretation: z.string().optional(),
    components: z.array(ResultComponent).optional().describe('the parts of a multi-part result such as blood pressure'),
  })
  .describe('a result');

export const ItemDose = z
  .object({
    amount: z.number().optional(),
    unit: z.string().optional().describe('as a patient reads it (mg/m2 → mg/m²)'),
    display: z.string().optional().describe('amount and unit ready to show: "2,000 IU"'),
    route: z.string().optional(),
    frequency: z.string().optional().describe('human words: "2 times a day", "every 21 days"'),
    text: z.string().optional(),
  })
  .describe("a medicine's dose");

export const ItemDocument = z.object({
  id: z.string(),
  url: z.string().describe('/api/documents/{id}'),
  contentType: z.string().nullable(),
  title: z.string().nullable(),
});

export const ItemPart = z
  .object({ id: RecordId, resourceType: z.string(), title: z.string(), date: FhirDate.nullable(), status: z.string().nullable(), sources: z.array(PortalSource) })
  .describe('one of the records an item joins (records saying the same thing are one part with all their sources)');

export const StudyFacts = z
  .object({
    modalities: z.array(z.string()).describe('patient words for the DICOM modalities: "CT", "MRI", "Mammography"'),
    series: z.int().nullable(),
    instances: z.int().nullable(),
  })
  .describe('what an ImagingStudy says about the exam');

export const Item = z
  .object({
    id: RecordId,
    resourceType: z.string(),
    title: z.string(),
    date: FhirDate.nullable(),
    endDate: FhirDate.nullable(),
    status: z.string().nullable(),
    value: ItemValue.nullable(),
    dose: ItemDose.nullable(),
    documents: z.array(ItemDocument),
    sources: z.array(PortalSource),
    removedAtSource: z.boolean(),
    parts: z
      .array(ItemPart)
      .describe("the records the item joins (an exam's report, images and procedure; an operation and its note; one medicine's orders), at most 20; empty for an item of one record"),
    partCount: z.int().min(1).describe('how many records the item joins'),
    study: StudyFacts.nullable(),
    conclusion: z.string().nullable().describe("a report's conclusion in words"),
  })
  .describe('A record as the binder shows it; duplicates across portals appear once with all their sources');

export const CategoryPage = z.object({
  id: z.enum(CATEGORY_IDS),
  title: z.string(),
  description: z.string().describe("the leaflet's own wording"),
  count: z.int(),
  items: z.array(Item),
  next: z.string().nullable().describe('opaque cursor for the next page, or null'),
});

// ---- the treatment summary and side effects (src/records/treatment-*.ts), each line with its portals' names

const SummaryLine = {
  sources: z.array(PortalSource),
  recordIds: z.array(RecordId),
  portals: z.array(z.string()).describe("the sources' portal names"),
};

export const MedicineDoseCount = z.object({
  amount: z.number(),
  unit: z.string().nullable(),
  count: z.int().describe('administrations (or, for a course recorded only as orders, orders) with this dose'),
  display: z.string().describe('"80 mg/m²"'),
  recordIds: z.array(RecordId).describe('the records this dose was read from'),
});

/** For each figure of a summary line, the records it came from. */
const Evidence = z.record(z.string(), z.array(RecordId));

export const Medicine = z.object({
  ingredient: z.string().describe('lower-case ingredient ("paclitaxel")'),
  rxnormCodes: z.array(z.string()),
  regimen: z.enum(['course', 'continuous']).describe('course: single doses given were recorded; continuous: only orders, dispenses and statements (a daily pill)'),
  doses: z.array(MedicineDoseCount).describe('doses given, most common first; empty for a continuous medicine'),
  doseText: z.string().nullable().describe('the prescribed dose and schedule in words: "1 mg once a day"'),
  since: FhirDate.nullable().describe('a continuous medicine: the day it was started'),
  lastGiven: FhirDate.nullable().describe('the last dose given, or the end of a period that has ended; never an order date'),
  route: z.string().nullable(),
  frequency: z.string().nullable(),
  firstDate: FhirDate.nullable(),
  lastDate: FhirDate.nullable(),
  administrations: z.int(),
  cycles: z.int().describe('distinct days given (or, without any administration, distinct order start days)'),
  status: z.enum(['ongoing', 'completed', 'stopped', 'unknown']),
  ...SummaryLine,
  evidence: Evidence,
});

export const RadiationCourse = z.object({
  site: z.string().nullable(),
  modality: z.string().nullable().describe('proton, SRS, SBRT, brachytherapy, IMRT, VMAT, 3D-CRT, electron, EBRT'),
  totalDoseGy: z.number().nullable(),
  fractions: z.number().nullable(),
  startDate: FhirDate.nullable(),
  endDate: FhirDate.nullable(),
  ...SummaryLine,
  evidence: Evidence,
});

export const LinkedTreatment = z.object({
  kind: z.enum(['medicine', 'radiation', 'other']),
  name: z.string().describe('"paclitaxel", "IMRT to base of tongue", or the words of an unresolved reference'),
  firstDate: FhirDate.nullable(),
  lastDate: FhirDate.nullable(),
  ongoing: z.boolean(),
});

export const SideEffect = z.object({
  what: z.string(),
  grade: z.string().nullable().describe('the CTCAE grade (0–5), the highest across records'),
  firstNoted: FhirDate.nullable(),
  linkedTreatments: z.array(LinkedTreatment),
  linkedBy: z.enum(['record', 'text', 'timing']).nullable().describe('the record names the cause, its words do, or only the dates suggest it'),
  continuedAfterTreatment: z.enum(['yes', 'no', 'unknown']),
  abatement: FhirDate.nullable(),
  clinicalStatus: z.string().nullable(),
  ...SummaryLine,
});

export const TreatmentSummary = z.object({ medicines: z.array(Medicine), radiation: z.array(RadiationCourse) });

export const PortalRef = z.object({ id: z.string(), name: z.string() });

export const Binder = z.object({
  categories: z.array(CategoryPage),
  treatmentSummary: TreatmentSummary,
  sideEffects: z.array(SideEffect),
  portals: z.array(PortalRef),
});

// ---- one record

export const FhirResource = z.looseObject({ resourceType: z.string(), id: z.string().optional() }).describe('the FHIR R4 resource as the portal sent it');

export const ResourceSource = PortalSource.extend({
  fhirBaseUrl: z.string(),
  firstSeenAt: z.iso.datetime(),
  lastChangedAt: z.iso.datetime(),
  removedAtSource: z.iso.datetime().nullable(),
});

export const ResourceDetail = z.object({ resource: FhirResource, sources: z.array(ResourceSource) });

export type Filters = z.infer<typeof Filters>;
export type PortalSource = z.infer<typeof PortalSource>;
export type ReferenceRange = z.infer<typeof ReferenceRange>;
export type ItemValue = z.infer<typeof ItemValue>;
export type ItemDose = z.infer<typeof ItemDose>;
export type ItemDocument = z.infer<typeof ItemDocument>;
export type ItemPart = z.infer<typeof ItemPart>;
export type StudyFacts = z.infer<typeof StudyFacts>;
export type Item = z.infer<typeof Item>;
export type CategoryPage = z.infer<typeof CategoryPage>;
export type MedicineDoseCount = z.infer<typeof MedicineDoseCount>;
export type Medicine = z.infer<typeof Medicine>;
export type RadiationCourse = z.infer<typeof RadiationCourse>;
export type LinkedTreatment = z.infer<typeof LinkedTreatment>;
export type SideEffect = z.infer<typeof SideEffect>;
export type TreatmentSummary = z.infer<typeof TreatmentSummary>;
export type PortalRef = z.infer<typeof PortalRef>;
export type Binder = z.infer<typeof Binder>;
export type ResourceSource = z.infer<typeof ResourceSource>;
export type ResourceDetail = z.infer<typeof ResourceDetail>;
