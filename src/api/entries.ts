// The patient's own entries: FHIR R4 resources of five types that the patient writes themselves
// (the web client's plain forms build them). Each type's schema is strict: an element carebinder
// does not know, a wrong shape or a missing "what" is refused with 400. The subject, the source
// (informationSource, asserter, recorder, performer) and meta are set by the server whatever the
// client sends, so those are accepted and ignored.
import { z } from 'zod';
import { ENTRY_TYPES } from '../records/patient-entered.js';

export { ENTRY_TYPES };

const FHIR_DATE_TIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;
const DateTime = z.string().regex(FHIR_DATE_TIME, 'a FHIR date or dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz').describe('FHIR date or dateTime');
const Words = z.string().trim().min(1).max(1000);

const Coding = z.strictObject({
  system: z.string().max(300).optional(),
  version: z.string().max(100).optional(),
  code: z.string().max(200).optional(),
  display: z.string().max(500).optional(),
  userSelected: z.boolean().optional(),
});

const CodeableConcept = z
  .strictObject({ coding: z.array(Coding).max(20).optional(), text: Words.optional() })
  .refine((concept) => Boolean(concept.text) || (concept.coding ?? []).some((coding) => coding.code || coding.display), 'a CodeableConcept needs text or a coding');

const Quantity = z.strictObject({
  value: z.number().finite(),
  comparator: z.enum(['<', '<=', '>=', '>']).optional(),
  unit: z.string().max(100).optional(),
  system: z.string().max(300).optional(),
  code: z.string().max(100).optional(),
});

const Period = z.strictObject({ start: DateTime.optional(), end: DateTime.optional() });
const Reference = z.strictObject({ reference: z.string().max(300).optional(), display: Words.optional() });
const Annotation = z.strictObject({ text: z.string().trim().min(1).max(5000), time: DateTime.optional() });

const Extension = z.strictObject({
  url: z.string().min(1).max(300),
  valueBoolean: z.boolean().optional(),
  valueString: z.string().max(1000).optional(),
  valueInteger: z.int().optional(),
  valueCodeableConcept: CodeableConcept.optional(),
});

const Timing = z.strictObject({
  repeat: z
    .strictObject({
      frequency: z.int().min(1).max(1000).optional(),
      period: z.number().positive().optional(),
      periodUnit: z.enum(['s', 'min', 'h', 'd', 'wk', 'mo', 'a']).optional(),
      when: z.array(z.string().max(20)).max(10).optional(),
      timeOfDay: z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/)).max(10).optional(),
    })
    .optional(),
  code: CodeableConcept.optional(),
});

const Dosage = z.strictObject({
  text: Words.optional().describe('the dose and timing in the patient\'s words: "1 tablet twice a day"'),
  patientInstruction: Words.optional(),
  timing: Timing.optional(),
  asNeededBoolean: z.boolean().optional(),
  route: CodeableConcept.optional(),
  doseAndRate: z.array(z.strictObject({ doseQuantity: Quantity.optional() })).max(5).optional(),
});

/** Elements every entry may carry; the server overwrites id, meta and who the entry is about and from. */
const common = {
  id: z.string().max(64).optional().describe('ignored: the server names the entry'),
  meta: z.unknown().optional().describe('ignored: the server sets it (the patient-entered tag)'),
  extension: z.array(Extension).max(20).optional(),
};
/** Set by the server: whatever the client puts here is replaced. */
const serverSet = z.unknown().optional().describe('ignored: set by the server to the patient');

export const MedicationStatementEntry = z
  .strictObject({
    ...common,
    resourceType: z.literal('MedicationStatement'),
    status: z.enum(['active', 'completed', 'entered-in-error', 'intended', 'stopped', 'on-hold', 'unknown', 'not-taken']).default('active'),
    medicationCodeableConcept: CodeableConcept.describe('the medicine, vitamin or supplement'),
    category: CodeableConcept.optional(),
    effectiveDateTime: DateTime.optional(),
    effectivePeriod: Period.optional(),
    dateAsserted: DateTime.optional(),
    dosage: z.array(Dosage).max(10).optional(),
    reasonCode: z.array(CodeableConcept).max(10).optional(),
    note: z.array(Annotation).max(10).optional(),
    subject: serverSet,
    informationSource: serverSet,
  })
  .describe('A medicine, vitamin or supplement the patient takes: what, dose and how often');

export const AdverseEventEntry = z
  .strictObject({
    ...common,
    resourceType: z.literal('AdverseEvent'),
    actuality: z.enum(['actual', 'potential']).default('actual'),
    event: CodeableConcept.describe('the side effect'),
    category: z.array(CodeableConcept).max(5).optional(),
    date: DateTime.optional().describe('when it started'),
    detected: DateTime.optional(),
    recordedDate: DateTime.optional(),
    seriousness: CodeableConcept.optional(),
    severity: CodeableConcept.optional(),
    outcome: CodeableConcept.optional().describe('adverse-event-outcome: ongoing (still there) or resolved'),
    suspectEntity: z
      .array(z.strictObject({ instance: Reference.describe('the treatment the patient thinks caused it (display: its name)') }))
      .max(10)
      .optional(),
    subject: serverSet,
    recorder: serverSet,
  })
  .describe('A treatment side effect: what, since when, the suspected treatment, and (extension continued-after-treatment) whether it continued after treatment');

export const ConditionEntry = z
  .strictObject({
    ...common,
    resourceType: z.literal('Condition'),
    code: CodeableConcept.describe('the health problem'),
    clinicalStatus: CodeableConcept.optional(),
    verificationStatus: CodeableConcept.optional(),
    category: z.array(CodeableConcept).max(5).optional(),
    severity: CodeableConcept.optional(),
    bodySite: z.array(CodeableConcept).max(5).optional(),
    onsetDateTime: DateTime.optional(),
    onsetString: Words.optional(),
    abatementDateTime: DateTime.optional(),
    abatementString: Words.optional(),
    recordedDate: DateTime.optional(),
    note: z.array(Annotation).max(10).optional(),
    subject: serverSet,
    asserter: serverSet,
    recorder: serverSet,
  })
  .describe('A health problem');

export const ImmunizationEntry = z
  .strictObject({
    ...common,
    resourceType: z.literal('Immunization'),
    status: z.enum(['completed', 'entered-in-error', 'not-done']).default('completed'),
    vaccineCode: CodeableConcept.describe('the vaccine'),
    occurrenceDateTime: DateTime.optional(),
    occurrenceString: Words.optional(),
    lotNumber: z.string().max(100).optional(),
    site: CodeableConcept.optional(),
    route: CodeableConcept.optional(),
    doseQuantity: Quantity.optional(),
    note: z.array(Annotation).max(10).optional(),
    patient: serverSet,
    primarySource: serverSet,
    reportOrigin: serverSet,
  })
  .refine((entry) => entry.occurrenceDateTime !== undefined || entry.occurrenceString !== undefined, {
    message: 'an Immunization needs occurrenceDateTime or occurrenceString (when it was given)',
    path: ['occurrenceDateTime'],
  })
  .describe('A vaccine the patient had');

export const ObservationEntry = z
  .strictObject({
    ...common,
    resourceType: z.literal('Observation'),
    status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']).default('final'),
    code: CodeableConcept.describe('the test'),
    category: z.array(CodeableConcept).max(5).optional(),
    effectiveDateTime: DateTime.optional(),
    effectivePeriod: Period.optional(),
    issued: z.iso.datetime({ offset: true }).optional(),
    valueQuantity: Quantity.optional(),
    valueString: Words.optional(),
    valueCodeableConcept: CodeableConcept.optional(),
    valueBoolean: z.boolean().optional(),
    valueInteger: z.int().optional(),
    interpretation: z.array(CodeableConcept).max(5).optional(),
    referenceRange: z.array(z.strictObject({ low: Quantity.optional(), high: Quantity.optional(), text: Words.optional() })).max(5).optional(),
    note: z.array(Annotation).max(10).optional(),
    subject: serverSet,
    performer: serverSet,
  })
  .refine((entry) => [entry.valueQuantity, entry.valueString, entry.valueCodeableConcept, entry.valueBoolean, entry.valueInteger].filter((v) => v !== undefined).length <= 1, {
    message: 'an Observation has at most one value[x]',
    path: ['valueQuantity'],
  })
  .describe('A test result');

export const EntryInput = z
  .discriminatedUnion('resourceType', [MedicationStatementEntry, AdverseEventEntry, ConditionEntry, ImmunizationEntry, ObservationEntry])
  .describe('A FHIR R4 resource of one of the five types a patient can enter');

export const EntryParams = z.object({ id: z.uuid() });

export const Entry = z
  .object({
    id: z.uuid().describe('the entry id (the resource id) for PUT and DELETE'),
    recordId: z.string().describe('the record id in the binder (GET /api/resources/:id)'),
    resourceType: z.enum(ENTRY_TYPES),
    resource: z.record(z.string(), z.unknown()).describe('the stored FHIR resource, with the subject, source and tag the server set'),
    title: z.string(),
    date: z.string().nullable(),
    categories: z.array(z.string()).describe('the binder categories it is filed in'),
    source: z.string().describe('"Entered by you"'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe("One of the patient's own entries");

export const EntryList = z.object({ entries: z.array(Entry) });

export type EntryInput = z.infer<typeof EntryInput>;
export type Entry = z.infer<typeof Entry>;
export type EntryList = z.infer<typeof EntryList>;
