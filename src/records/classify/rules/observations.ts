// Observation (rules 6, 8, 20, 25, 31, 32).

import type { CategoryId } from '../../categories.js';
import {
  CANCER_STAGING_LOINC,
  EKG_LOINC,
  GENOMIC_LOINC,
  IMAGING_LOINC,
  PATHOLOGY_REPORT_LOINC,
  PERFORMANCE_STATUS_LOINC,
  PULMONARY_FUNCTION_LOINC,
  TUMOR_MARKER_LOINC,
  VITAL_SIGN_LOINC,
} from '../codes/loinc.js';
import { OBSERVATION_CATEGORIES } from '../codes/report-categories.js';
import {
  CANCER_STAGING_WORDS,
  CTCAE_WORDS,
  EKG_WORDS,
  IMAGING_WORDS,
  LAB_TEST_WORDS,
  PATHOLOGY_OBSERVATION_WORDS,
  PERFORMANCE_STATUS_WORDS,
  PULMONARY_FUNCTION_WORDS,
  TUMOR_MARKER_WORDS,
} from '../codes/text-signals.js';
import type { JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, hasCode, profilesOf } from '../fhir.js';
import { profileSignals, resultKindsOfCategories } from '../signals.js';

export function classifyObservation(resource: JsonObject): CategoryId[] {
  const codings = codingsOf(resource.code);
  const text = conceptMatchText(resource.code);
  const profiles = profileSignals(profilesOf(resource));
  const categoryCodes = codingsOf(resource.category)
    .filter((c) => c.system === 'observation-category')
    .map((c) => c.code);
  const categoryKinds = resultKindsOfCategories(resource.category);
  const isLab = categoryKinds.has('lab') || profiles.has('lab');
  const categoryText = conceptMatchText(resource.category);

  if (profiles.has('adverse-event') || CTCAE_WORDS.test(text)) return ['treatment-side-effects'];
  if (profiles.has('staging') || hasCode(codings, 'loinc', CANCER_STAGING_LOINC) || CANCER_STAGING_WORDS.test(text)) {
    return ['health-problems'];
  }
  if (profiles.has('performance-status') || hasCode(codings, 'loinc', PERFORMANCE_STATUS_LOINC) || PERFORMANCE_STATUS_WORDS.test(text)) {
    return [];
  }
  if (
    profiles.has('pathology') ||
    hasCode(codings, 'loinc', TUMOR_MARKER_LOINC) ||
    hasCode(codings, 'loinc', GENOMIC_LOINC) ||
    hasCode(codings, 'loinc', PATHOLOGY_REPORT_LOINC) ||
    TUMOR_MARKER_WORDS.test(text) ||
    PATHOLOGY_OBSERVATION_WORDS.test(text) ||
    categoryKinds.has('pathology')
  ) {
    return ['pathology-reports'];
  }

  const notATest =
    profiles.has('not-a-test') ||
    categoryCodes.some((code) => OBSERVATION_CATEGORIES[code] === 'not-a-test') ||
    hasCode(codings, 'loinc', VITAL_SIGN_LOINC);
  if (notATest && !isLab) return [];

  if (hasCode(codings, 'loinc', EKG_LOINC) || EKG_WORDS.test(text) || categoryKinds.has('ekg')) return ['health-history-tests'];
  if (categoryKinds.has('imaging') || hasCode(codings, 'loinc', IMAGING_LOINC) || (!isLab && IMAGING_WORDS.test(text))) {
    return ['imaging-results'];
  }
  if (hasCode(codings, 'loinc', PULMONARY_FUNCTION_LOINC) || PULMONARY_FUNCTION_WORDS.test(text) || categoryKinds.has('pulmonary')) {
    return ['health-history-tests'];
  }
  if (isLab) return ['health-history-tests'];
  // Lab results sent without any category: recognise them by name (Rule 31), never anything else.
  if (codingsOf(resource.category).length === 0 && categoryText === '' && LAB_TEST_WORDS.test(text)) {
    return ['health-history-tests'];
  }
  return [];
}
