// Procedure (rules 8, 10–12, 15, 19, 31): an operation, an imaging exam, radiation,
// chemotherapy given, an EKG or lung test — or none of these.

import type { CategoryId } from '../../categories.js';
import type { ProcedureKind } from '../codes/procedures.js';
import {
  CHEMORADIATION_SNOMED,
  RADIATION_TREATMENT_WORDS,
  RADIOTHERAPY_EXTENSION_HINT,
  RADIOTHERAPY_PROFILE_IDS,
  RADIOTHERAPY_SNOMED,
} from '../codes/radiotherapy.js';
import {
  ALLERGEN_IMMUNOTHERAPY_WORDS,
  CELL_INFUSION_WORDS,
  CHEMO_ADMINISTRATION_WORDS,
  CHEMORADIATION_WORDS,
  EKG_WORDS,
  NOT_A_PROCEDURE_RECORD_WORDS,
  NOT_AN_OPERATION_WORDS,
  OPERATION_WORDS,
  PULMONARY_FUNCTION_WORDS,
  SURGICAL_CATEGORY_WORDS,
} from '../codes/text-signals.js';
import type { JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, extensionUrls, hasCode, joinText, narrativeText, notesText, profilesOf } from '../fhir.js';
import { cancerMedicineIngredient, isCancerMedicine } from '../medicine.js';
import { procedureKindsOf, titlesNameImaging } from '../signals.js';

const CATEGORY_FOR_KIND: Partial<Record<ProcedureKind, CategoryId>> = {
  radiation: 'radiation-treatment-summary',
  'chemo-administration': 'medication-treatment-summary',
  operation: 'operation-reports',
  imaging: 'imaging-results',
  ekg: 'health-history-tests',
  pulmonary: 'health-history-tests',
};

/** When a record's codes disagree, the more specific meaning wins (a CT-guided biopsy is an operation). */
const KIND_PRIORITY: readonly ProcedureKind[] = [
  'radiation',
  'chemo-administration',
  'operation',
  'imaging',
  'ekg',
  'pulmonary',
  'not-an-operation',
  'pathology',
  'tumor-marker',
  'lab',
  'vaccine',
];

function isRadiotherapyRecord(resource: JsonObject): boolean {
  const profiles = profilesOf(resource);
  if (RADIOTHERAPY_PROFILE_IDS.some((id) => profiles.some((p) => p.toLowerCase().includes(id)))) return true;
  if (extensionUrls(resource).some((url) => url.toLowerCase().includes(RADIOTHERAPY_EXTENSION_HINT))) return true;
  return hasCode(codingsOf([resource.code, resource.category]), 'snomed', RADIOTHERAPY_SNOMED);
}

function isChemoAdministrationText(text: string): boolean {
  if (ALLERGEN_IMMUNOTHERAPY_WORDS.test(text)) return false;
  return CHEMO_ADMINISTRATION_WORDS.test(text) || cancerMedicineIngredient(text, { namesOnly: true }) !== undefined;
}

function kindFromText(text: string): ProcedureKind | undefined {
  if (RADIATION_TREATMENT_WORDS.test(text)) return 'radiation';
  if (OPERATION_WORDS.test(text) && !CELL_INFUSION_WORDS.test(text)) return 'operation';
  const notAnOperation = NOT_AN_OPERATION_WORDS.test(text);
  if (isChemoAdministrationText(text)) return 'chemo-administration';
  if (EKG_WORDS.test(text)) return 'ekg';
  if (PULMONARY_FUNCTION_WORDS.test(text)) return 'pulmonary';
  if (titlesNameImaging([text]) && !notAnOperation) return 'imaging';
  return notAnOperation ? 'not-an-operation' : undefined;
}

function procedureKind(resource: JsonObject): ProcedureKind | undefined {
  if (isRadiotherapyRecord(resource)) return 'radiation';
  const codeKinds = procedureKindsOf(codingsOf(resource.code));
  const fromCodes = KIND_PRIORITY.find((kind) => codeKinds.has(kind));
  if (fromCodes) return fromCodes;

  // Counselling, screening questionnaires and assessments are about care, not a procedure done.
  const codeText = conceptMatchText(resource.code);
  if (NOT_A_PROCEDURE_RECORD_WORDS.test(codeText)) return undefined;

  // Chemo given as a procedure may be coded only by the drug (an RxNorm code, or usedCode).
  const drugOnlyCode = cancerMedicineIngredient(resource.code, { namesOnly: true }) !== undefined && codeText === '';
  if (drugOnlyCode || isCancerMedicine(resource.usedCode)) return 'chemo-administration';

  const fromText = kindFromText(codeText);
  if (fromText) return fromText;

  const categoryKinds = procedureKindsOf(codingsOf(resource.category));
  const fromCategory = KIND_PRIORITY.find((kind) => categoryKinds.has(kind));
  if (fromCategory) return fromCategory;
  const categoryText = conceptMatchText(resource.category);
  if (SURGICAL_CATEGORY_WORDS.test(categoryText)) return 'operation';

  // Notes and narrative only when the record has no code text at all.
  if (codeText !== '') return undefined;
  const notes = joinText(notesText(resource.note), narrativeText(resource));
  return NOT_A_PROCEDURE_RECORD_WORDS.test(notes) ? undefined : kindFromText(notes);
}

export function classifyProcedure(resource: JsonObject): CategoryId[] {
  const kind = procedureKind(resource);
  const category = kind === undefined ? undefined : CATEGORY_FOR_KIND[kind];
  if (!category) return [];
  // Concurrent chemoradiation is both treatments.
  const isChemoradiation =
    hasCode(codingsOf(resource.code), 'snomed', CHEMORADIATION_SNOMED) || CHEMORADIATION_WORDS.test(conceptMatchText(resource.code));
  if (isChemoradiation && (kind === 'radiation' || kind === 'chemo-administration')) {
    return ['medication-treatment-summary', 'radiation-treatment-summary'];
  }
  return [category];
}
