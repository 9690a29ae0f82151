// Encounter (rule 14): a finished inpatient or observation stay is filed with the
// discharge summaries; ED, ambulatory, same-day surgery and infusion visits are not.

import type { CategoryId } from '../../categories.js';
import { INPATIENT_ACT_CODES, INPATIENT_V2_CLASSES } from '../codes/encounter-classes.js';
import { INPATIENT_STAY_WORDS, NOT_INPATIENT_WORDS } from '../codes/text-signals.js';
import type { JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, field, lower } from '../fhir.js';


type StayKind = 'inpatient' | 'not-inpatient' | 'unknown';

function stayKindOfClass(encounterClass: unknown): StayKind {
  for (const coding of codingsOf(encounterClass)) {
    const code = coding.code.toUpperCase();
    if (coding.system === 'v3-actcode') return INPATIENT_ACT_CODES.has(code) ? 'inpatient' : 'not-inpatient';
    if (coding.system === 'v2-0004') return INPATIENT_V2_CLASSES.has(code) ? 'inpatient' : 'not-inpatient';
  }
  // Local class codings (Epic "HOV", "Surgery Log"): read their words.
  const text = conceptMatchText(encounterClass);
  if (NOT_INPATIENT_WORDS.test(text)) return 'not-inpatient';
  if (INPATIENT_STAY_WORDS.test(text)) return 'inpatient';
  return 'unknown';
}

function isFinished(resource: JsonObject): boolean {
  const status = lower(resource.status);
  if (status === 'finished' || status === 'completed') return true;
  return status === '' && typeof field(resource.period, 'end') === 'string';
}

export function classifyEncounter(resource: JsonObject): CategoryId[] {
  if (!isFinished(resource)) return [];
  let stay = stayKindOfClass(resource.class);
  if (stay === 'unknown') {
    // No usable class: fall back to the encounter type's words ("Inpatient", "Hospital admission").
    const typeText = conceptMatchText(resource.type);
    stay = INPATIENT_STAY_WORDS.test(typeText) && !NOT_INPATIENT_WORDS.test(typeText) ? 'inpatient' : 'not-inpatient';
  }
  return stay === 'inpatient' ? ['discharge-summaries'] : [];
}
