// An entry as the patient sent it becomes the resource carebinder stores: its id, the patient as
// its subject and as its source, the patient-entered tag and label, and the dates a record needs.
// Whatever the client said about those is replaced. The shape has been checked by the API
// contract (src/api/entries.ts) before it gets here. Pure.
import { CONTINUED_AFTER_TREATMENT_URL, ENTRY_TYPES, PATIENT_ASSERTED_SECURITY, PATIENT_ENTERED_TAG, type EntryType } from '../records/patient-entered.js';
import type { FhirResource } from '../sync/validate.js';

/** An entry as the contract let it through: one of the five types, its elements checked. */
export interface EntryBody {
  resourceType: EntryType;
  [element: string]: unknown;
}

/**
 * The id entries name their patient by (the entries link's portal_patient_id). The exports turn
 * it into their own Patient, as they do each portal's patient id.
 */
export const ENTRIES_PATIENT_ID = 'self';
/** How the duplicate keys and the binder's portal filter name the patient as a source. */
export const ENTRIES_SOURCE_ID = 'entries';

const ME = { reference: `Patient/${ENTRIES_PATIENT_ID}`, display: 'The patient' } as const;

/** The elements that say who the entry is about and who gave it: the server's to set. */
const SERVER_SET: Readonly<Record<EntryType, readonly string[]>> = {
  MedicationStatement: ['subject', 'informationSource'],
  AdverseEvent: ['subject', 'recorder'],
  Condition: ['subject', 'asserter', 'recorder'],
  Immunization: ['patient', 'primarySource', 'reportOrigin'],
  Observation: ['subject', 'performer'],
};

/** A request the contract let through but that cannot be stored as it is. */
export class InvalidEntryError extends Error {
  override name = 'InvalidEntryError';
}

export interface BuildOptions {
  id: string;
  now: Date;
  /** The entry as stored before, when it is being changed: its first dates are kept. */
  previous?: Record<string, unknown> | null;
}

export function buildEntryResource(input: EntryBody, options: BuildOptions): FhirResource {
  const type = input.resourceType;
  if (!ENTRY_TYPES.includes(type)) throw new InvalidEntryError(`${String(type)} is not a type of entry carebinder takes.`);
  checkExtensions(type, input.extension);
  const today = options.now.toISOString().slice(0, 10);
  const kept = (name: string): string => {
    const previous = options.previous?.[name];
    return typeof previous === 'string' ? previous : today;
  };
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'id' || name === 'meta' || value === undefined || SERVER_SET[type].includes(name)) continue;
    rest[name] = value;
  }
  if (namesAPatient(rest)) throw new InvalidEntryError('An entry may name no patient: carebinder sets you as its patient.');
  const resource: FhirResource = {
    resourceType: type,
    id: options.id,
    meta: { lastUpdated: options.now.toISOString(), tag: [{ ...PATIENT_ENTERED_TAG }], security: [{ ...PATIENT_ASSERTED_SECURITY }] } as FhirResource['meta'],
    ...rest,
  };
  switch (type) {
    case 'MedicationStatement':
      return { ...resource, subject: ME, informationSource: ME, dateAsserted: rest.dateAsserted ?? kept('dateAsserted') };
    case 'AdverseEvent':
      return { ...resource, subject: ME, recorder: ME, recordedDate: rest.recordedDate ?? kept('recordedDate') };
    case 'Condition': {
      const abated = rest.abatementDateTime !== undefined || rest.abatementString !== undefined;
      return {
        ...resource,
        // FHIR asks for a clinical status (con-3), and a resolved one once it has gone (con-4).
        clinicalStatus: rest.clinicalStatus ?? concept('http://terminology.hl7.org/CodeSystem/condition-clinical', abated ? 'resolved' : 'active', abated ? 'Resolved' : 'Active'),
        subject: ME,
        asserter: ME,
        recorder: ME,
        recordedDate: rest.recordedDate ?? kept('recordedDate'),
      };
    }
    case 'Immunization':
      // Immunization has no reference for who reported it: not from the giver's own record, recalled by the patient.
      return {
        ...resource,
        patient: ME,
        primarySource: false,
        reportOrigin: concept('http://terminology.hl7.org/CodeSystem/immunization-origin', 'recall', 'Parent/Guardian/Patient Recall'),
      };
    case 'Observation':
      return { ...resource, subject: ME, performer: [ME] };
  }
}

function concept(system: string, code: string, display: string) {
  return { coding: [{ system, code, display }], text: display };
}

/** Whether any reference among the client's elements points at a Patient. */
function namesAPatient(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(namesAPatient);
  if (!value || typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  if (typeof object.reference === 'string' && /(^|\/)Patient\//.test(object.reference)) return true;
  return Object.values(object).some(namesAPatient);
}

function checkExtensions(type: EntryType, extensions: unknown): void {
  for (const extension of Array.isArray(extensions) ? (extensions as Array<Record<string, unknown>>) : []) {
    const values = ['valueBoolean', 'valueString', 'valueInteger', 'valueCodeableConcept'].filter((name) => extension[name] !== undefined);
    if (values.length !== 1) throw new InvalidEntryError(`The extension ${String(extension.url)} needs exactly one value.`);
    if (extension.url === CONTINUED_AFTER_TREATMENT_URL) {
      if (type !== 'AdverseEvent') throw new InvalidEntryError('Only a side effect (AdverseEvent) says whether it continued after treatment.');
      if (typeof extension.valueBoolean !== 'boolean') throw new InvalidEntryError(`${CONTINUED_AFTER_TREATMENT_URL} takes valueBoolean.`);
    }
  }
}
