// Which resource types each hospital serves, and which token search parameters each supports
// (names and elements as in the FHIR R4 search parameter registry).

/** Types in the patient compartment: each resource belongs to exactly one patient. */
export const COMPARTMENT_TYPES = [
  'Patient',
  'AdverseEvent',
  'AllergyIntolerance',
  'CarePlan',
  'Condition',
  'DiagnosticReport',
  'DocumentReference',
  'Encounter',
  'ImagingStudy',
  'Immunization',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationRequest',
  'MedicationStatement',
  'Observation',
  'Procedure',
] as const;

/** Types referenced from patient records and shared by all of them. */
export const SHARED_TYPES = ['Location', 'Medication', 'Organization', 'Practitioner'] as const;

/** Binary is read-only by id and belongs to the patient named in its securityContext. */
export const BINARY = 'Binary';

export type CompartmentType = (typeof COMPARTMENT_TYPES)[number];
export type SharedType = (typeof SHARED_TYPES)[number];
export type SearchableType = CompartmentType | SharedType;
export type SupportedType = SearchableType | typeof BINARY;

export const SEARCHABLE_TYPES: readonly SearchableType[] = [...COMPARTMENT_TYPES, ...SHARED_TYPES];
export const SUPPORTED_TYPES: readonly SupportedType[] = [...SEARCHABLE_TYPES, BINARY];

export function isSearchableType(type: string): type is SearchableType {
  return (SEARCHABLE_TYPES as readonly string[]).includes(type);
}

export function isSupportedType(type: string): type is SupportedType {
  return (SUPPORTED_TYPES as readonly string[]).includes(type);
}

export function isCompartmentType(type: string): type is CompartmentType {
  return (COMPARTMENT_TYPES as readonly string[]).includes(type);
}

/** Where a token parameter reads its codes: a dotted element path, plus the system implied for bare `code` elements. */
export interface TokenParameter {
  readonly path: string;
  readonly impliedSystem?: string;
}

const status: TokenParameter = { path: 'status' };

export const TOKEN_PARAMETERS: Readonly<Record<SupportedType, Readonly<Record<string, TokenParameter>>>> = {
  Patient: { gender: { path: 'gender', impliedSystem: 'http://hl7.org/fhir/administrative-gender' } },
  AdverseEvent: { actuality: { path: 'actuality' }, category: { path: 'category' }, event: { path: 'event' } },
  AllergyIntolerance: {
    category: { path: 'category', impliedSystem: 'http://hl7.org/fhir/allergy-intolerance-category' },
    'clinical-status': { path: 'clinicalStatus' },
    code: { path: 'code' },
  },
  CarePlan: { category: { path: 'category' }, status },
  Condition: {
    category: { path: 'category' },
    'clinical-status': { path: 'clinicalStatus' },
    code: { path: 'code' },
    'verification-status': { path: 'verificationStatus' },
  },
  DiagnosticReport: { category: { path: 'category' }, code: { path: 'code' }, status },
  DocumentReference: { category: { path: 'category' }, status, type: { path: 'type' } },
  Encounter: { class: { path: 'class' }, status, type: { path: 'type' } },
  ImagingStudy: { modality: { path: 'series.modality' }, status },
  Immunization: { status, 'vaccine-code': { path: 'vaccineCode' } },
  MedicationAdministration: { code: { path: 'medicationCodeableConcept' }, status },
  MedicationDispense: { code: { path: 'medicationCodeableConcept' }, status },
  MedicationRequest: {
    category: { path: 'category' },
    code: { path: 'medicationCodeableConcept' },
    intent: { path: 'intent' },
    status,
  },
  MedicationStatement: { category: { path: 'category' }, code: { path: 'medicationCodeableConcept' }, status },
  Observation: { category: { path: 'category' }, code: { path: 'code' }, status },
  Procedure: { category: { path: 'category' }, code: { path: 'code' }, status },
  Location: {},
  Medication: { code: { path: 'code' } },
  Organization: {},
  Practitioner: {},
  Binary: {},
};
