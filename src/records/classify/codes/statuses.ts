// Records that did not happen or were withdrawn (rule 2). Source: FHIR R4 status value
// sets of each resource (request-status, event-status, medication-statement-status,
// condition-ver-status, allergyintolerance-verification, adverse-event-actuality).

/** Statuses that mean "never happened / withdrawn" on any resource that has `status`. */
export const WITHDRAWN_STATUSES: ReadonlySet<string> = new Set([
  'entered-in-error',
  'cancelled',
  'not-done',
  'not-taken',
  'draft',
  'revoked',
  'preparation', // event-status: the procedure or dispense has not started
]);

/** Condition and AllergyIntolerance verification statuses that withdraw the record. */
export const WITHDRAWN_VERIFICATION_STATUSES: ReadonlySet<string> = new Set(['entered-in-error', 'refuted']);

/** Document statuses (DocumentReference.docStatus, Composition.status) that withdraw it. */
export const WITHDRAWN_DOCUMENT_STATUSES: ReadonlySet<string> = new Set(['entered-in-error']);
