// Condition (rules 22, 24, 26), AllergyIntolerance (rule 21) and AdverseEvent (rule 20).

import type { CategoryId } from '../../categories.js';
import {
  DRUG_INDUCED_ICD10,
  ENCOUNTER_REASON_ICD10,
  SOCIAL_OR_FAMILY_ICD10,
  TREATMENT_ADVERSE_EFFECT_ICD10,
  TREATMENT_CAUSED_DISORDER_ICD10,
} from '../codes/icd10.js';
import {
  CANCER_TREATMENT_CONTEXT,
  CAUSED_BY_WORDS,
  ENCOUNTER_REASON_WORDS,
  FAMILY_HISTORY_WORDS,
  SOCIAL_FINDING_WORDS,
  STATUS_POST_PHRASES,
  TREATMENT_SIDE_EFFECT_WORDS,
} from '../codes/text-signals.js';
import { objects, type JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, hasCode, joinText, lower, narrativeText, notesText, type Coding } from '../fhir.js';
import { SOCIAL_FINDING_SNOMED } from '../codes/social-findings.js';
import { cancerMedicineIngredient, isCancerMedicine } from '../medicine.js';
import { icd10Codes, icd10StartsWith } from '../signals.js';

/** Rule 26: the condition only says why a visit happened, or describes social circumstances. */
function isNotAHealthProblem(codings: readonly Coding[], icdCodes: readonly string[], text: string): boolean {
  if (icdCodes.length > 0) {
    return icdCodes.every(
      (code) => icd10StartsWith(code, ENCOUNTER_REASON_ICD10) || icd10StartsWith(code, SOCIAL_OR_FAMILY_ICD10),
    );
  }
  if (hasCode(codings, 'snomed', SOCIAL_FINDING_SNOMED)) return true;
  return ENCOUNTER_REASON_WORDS.test(text) || SOCIAL_FINDING_WORDS.test(text) || FAMILY_HISTORY_WORDS.test(text);
}

/** Rule 22: the record attributes the condition to cancer treatment. */
function isTreatmentSideEffect(icdCodes: readonly string[], text: string): boolean {
  if (icdCodes.some((code) => icd10StartsWith(code, TREATMENT_ADVERSE_EFFECT_ICD10))) return true;
  if (icdCodes.some((code) => icd10StartsWith(code, TREATMENT_CAUSED_DISORDER_ICD10))) return true;
  const withoutHistory = text.replace(STATUS_POST_PHRASES, ' ');
  if (TREATMENT_SIDE_EFFECT_WORDS.test(withoutHistory)) return true;
  if (CAUSED_BY_WORDS.test(withoutHistory) && cancerMedicineIngredient(withoutHistory, { supportiveVeto: false }) !== undefined) {
    return true;
  }
  return (
    icdCodes.some((code) => icd10StartsWith(code, DRUG_INDUCED_ICD10)) && CANCER_TREATMENT_CONTEXT.test(withoutHistory)
  );
}

export function classifyCondition(resource: JsonObject): CategoryId[] {
  const codings = codingsOf(resource.code);
  // A condition with no code is read from its narrative, if it has one.
  const codeText = conceptMatchText(resource.code) || narrativeText(resource);
  if (codings.length === 0 && codeText === '') return [];
  const icdCodes = icd10Codes(codings);
  if (isNotAHealthProblem(codings, icdCodes, codeText)) return [];
  const evidenceText = objects(resource.evidence)
    .map((e) => conceptMatchText(e.code))
    .join(' | ');
  const text = joinText(codeText, notesText(resource.note), evidenceText);
  return isTreatmentSideEffect(icdCodes, text) ? ['treatment-side-effects', 'health-problems'] : ['health-problems'];
}

/** Rule 21: allergy or intolerance to a cancer-treatment drug. */
export function classifyAllergy(resource: JsonObject): CategoryId[] {
  const substances = [resource.code, ...objects(resource.reaction).map((r) => r.substance)];
  return isCancerMedicine(substances) ? ['treatment-side-effects'] : [];
}

/** Rule 20: an adverse event that happened (a near miss has actuality "potential", excluded earlier). */
export function classifyAdverseEvent(resource: JsonObject): CategoryId[] {
  return lower(resource.actuality) === 'potential' ? [] : ['treatment-side-effects'];
}
