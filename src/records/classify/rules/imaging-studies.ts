// ImagingStudy (rule 8): a study of any modality is an imaging result.

import type { CategoryId } from '../../categories.js';
import type { JsonObject } from '../../fhir-read.js';

export function classifyImagingStudy(_resource: JsonObject): CategoryId[] {
  return ['imaging-results'];
}
