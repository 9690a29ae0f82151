// The category classifier: one FHIR resource in, the leaflet categories it belongs to out.
// Pure and total: any input, however malformed, yields a (possibly empty) list and never throws.

import { FILED_BY_PATIENT_SYSTEM, inLeafletOrder, isCategoryId, type CategoryId } from '../categories.js';
import {
  WITHDRAWN_DOCUMENT_STATUSES,
  WITHDRAWN_STATUSES,
  WITHDRAWN_VERIFICATION_STATUSES,
} from './codes/statuses.js';
import { isObject, objects, type JsonObject } from './../fhir-read.js';
import { field, lower, statusCodes } from './fhir.js';
import { classifyAdverseEvent, classifyAllergy, classifyCondition } from './rules/conditions.js';
import { classifyEncounter } from './rules/encounters.js';
import { classifyImagingStudy } from './rules/imaging-studies.js';
import { classifyImmunization } from './rules/immunizations.js';
import { classifyMedicationRecord } from './rules/medications.js';
import { classifyObservation } from './rules/observations.js';
import { classifyProcedure } from './rules/procedures.js';
import { classifyReport } from './rules/reports.js';

export { isCancerMedicine } from './medicine.js';
export { CLASSIFIER_RULES_VERSION } from './version.js';

type Rule = (resource: JsonObject) => CategoryId[];

/**
 * Rules by resource type. Types not listed (Patient, Practitioner, Organization, Location,
 * Claim, ExplanationOfBenefit, CarePlan, ServiceRequest, FamilyMemberHistory, …) are
 * administrative or not results, and get no category (rule 3).
 */
const RULES_BY_RESOURCE_TYPE: Readonly<Record<string, Rule>> = {
  Condition: classifyCondition,
  AllergyIntolerance: classifyAllergy,
  AdverseEvent: classifyAdverseEvent,
  Observation: classifyObservation,
  DiagnosticReport: classifyReport,
  DocumentReference: classifyReport,
  Composition: classifyReport,
  Procedure: classifyProcedure,
  ImagingStudy: classifyImagingStudy,
  Encounter: classifyEncounter,
  Immunization: classifyImmunization,
  MedicationRequest: classifyMedicationRecord,
  MedicationStatement: classifyMedicationRecord,
  MedicationAdministration: classifyMedicationRecord,
  MedicationDispense: classifyMedicationRecord,
};

/** Rule 2: the record did not happen or was withdrawn. */
function isWithdrawn(resource: JsonObject): boolean {
  if (WITHDRAWN_STATUSES.has(lower(resource.status))) return true;
  if (WITHDRAWN_DOCUMENT_STATUSES.has(lower(resource.docStatus))) return true;
  if (statusCodes(resource.verificationStatus).some((code) => WITHDRAWN_VERIFICATION_STATUSES.has(code))) return true;
  return resource.resourceType === 'AdverseEvent' && lower(resource.actuality) === 'potential';
}

/**
 * Rule 0: a document the patient filed themselves (an upload under a category they chose) stays
 * where they put it. Only resources carebinder tags this way carry the tag; no stored record had
 * one before this rule, so it changes no earlier filing (the rules version stays).
 */
function filedByPatient(resource: JsonObject): CategoryId[] {
  const tags = objects(field(resource.meta, 'tag'));
  return tags.filter((tag) => tag.system === FILED_BY_PATIENT_SYSTEM && isCategoryId(tag.code)).map((tag) => tag.code as CategoryId);
}

/**
 * The leaflet categories a FHIR R4 resource belongs to, in leaflet order: several, one or none.
 * Bad input (not an object, no resourceType, wrong shapes) gives `[]`.
 */
export function classify(resource: unknown): CategoryId[] {
  try {
    if (!isObject(resource) || typeof resource.resourceType !== 'string') return [];
    const rule = Object.hasOwn(RULES_BY_RESOURCE_TYPE, resource.resourceType)
      ? RULES_BY_RESOURCE_TYPE[resource.resourceType]
      : undefined;
    if (rule === undefined || isWithdrawn(resource)) return [];
    const filed = filedByPatient(resource);
    return inLeafletOrder(filed.length > 0 ? filed : rule(resource));
  } catch {
    // Readers are defensive; this only guards against shapes nobody foresaw (throwing getters, proxies).
    return [];
  }
}
