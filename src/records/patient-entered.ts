// What marks a record as the patient's own entry, and what such an entry says that no portal
// record does: whether a side effect continued after the treatment ended, in the patient's words.
// Pure: read by the classifier's neighbours, the treatment summary and the entries domain.
import { at, objects, text, type JsonObject } from './fhir-read.js';

/** The types of resource a patient can enter (POST /api/entries). */
export const ENTRY_TYPES = ['MedicationStatement', 'AdverseEvent', 'Condition', 'Immunization', 'Observation'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** meta.tag system of where a record came from (an upload's "uploaded", an entry's "patient-entered"). */
export const RECORD_ORIGIN_SYSTEM = 'https://carebinder.example.org/fhir/CodeSystem/record-origin';

/** The tag carebinder puts on every entry the patient made themselves. */
export const PATIENT_ENTERED_TAG = { system: RECORD_ORIGIN_SYSTEM, code: 'patient-entered', display: 'Entered by the patient' } as const;

/**
 * The established label for the same fact: HL7 v3 ObservationValue PATAST ("patient asserted",
 * from the SecurityIntegrityObservationValue set), which belongs in meta.security.
 */
export const PATIENT_ASSERTED_SECURITY = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'PATAST', display: 'patient asserted' } as const;

/**
 * An extension on a patient-entered AdverseEvent: the patient's answer to the leaflet's question
 * "did it continue after treatment?" (valueBoolean). No FHIR element says this: outcome is the
 * side effect's state now, not whether it outlasted the treatment.
 */
export const CONTINUED_AFTER_TREATMENT_URL = 'https://carebinder.example.org/fhir/StructureDefinition/continued-after-treatment';

/** How the binder names the patient as a source. */
export const PATIENT_ENTERED_SOURCE_NAME = 'Entered by you';

export function isPatientEntered(resource: unknown): boolean {
  return objects(at(resource, 'meta', 'tag')).some((tag) => tag.system === RECORD_ORIGIN_SYSTEM && tag.code === PATIENT_ENTERED_TAG.code);
}

/** The patient's own answer, on an entry they made: true, false, or null when they did not say. */
export function statedContinuation(resource: JsonObject): boolean | null {
  if (!isPatientEntered(resource)) return null;
  const extension = objects(resource.extension).find((each) => text(each.url) === CONTINUED_AFTER_TREATMENT_URL);
  return typeof extension?.valueBoolean === 'boolean' ? extension.valueBoolean : null;
}
