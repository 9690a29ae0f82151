// Immunization (rule 30): every completed immunization is a vaccine, whatever its code.

import type { CategoryId } from '../../categories.js';
import type { JsonObject } from '../../fhir-read.js';
import { lower } from '../fhir.js';

export function classifyImmunization(resource: JsonObject): CategoryId[] {
  const status = lower(resource.status);
  return status === 'completed' || status === '' ? ['vaccines'] : [];
}
