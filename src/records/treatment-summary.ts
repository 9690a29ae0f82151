// The treatment summary of one patient, computed from their stored records across portals (pure).
//
// - medicines: one line per cancer medicine, grouped by ingredient (treatment-medicines.ts);
// - radiation: one line per radiation course (treatment-radiation.ts);
// - sideEffects: one line per side effect, linked to the treatment that caused it (treatment-side-effects.ts).

import { fhirDate, resourceTypeOf, text } from './fhir-read.js';
import { RecordIndex, usableRecords, type StoredRecord } from './stored-record.js';
import { summariseMedicines, type MedicineSummary } from './treatment-medicines.js';
import { summariseRadiation, type RadiationCourseSummary } from './treatment-radiation.js';
import { summariseSideEffects, type SideEffectSummary, type TreatmentCandidate } from './treatment-side-effects.js';

export type { PortalSource, StoredRecord } from './stored-record.js';
export type { MedicineDoseCount, MedicineRegimen, MedicineStatus, MedicineSummary } from './treatment-medicines.js';
export { MEDICATION_TREATMENT_CATEGORY, UNNAMED_MEDICINE } from './treatment-medicines.js';
export type { RadiationCourseSummary } from './treatment-radiation.js';
export { RADIATION_TREATMENT_CATEGORY } from './treatment-radiation.js';
export type { Continuation, LinkedTreatment, SideEffectSummary } from './treatment-side-effects.js';
export { SIDE_EFFECTS_CATEGORY } from './treatment-side-effects.js';

export interface TreatmentSummary {
  medicines: MedicineSummary[];
  radiation: RadiationCourseSummary[];
  sideEffects: SideEffectSummary[];
}

export interface TreatmentSummaryOptions {
  /**
   * The day the records were last fetched (FHIR date). A status read then ("active") is taken as true
   * on that day, which is what lets a side effect count as continuing after treatment ended.
   */
  asOf?: string;
}

function resourceKey(resource: unknown): string | null {
  const type = resourceTypeOf(resource);
  const id = text((resource as { id?: unknown } | null)?.id);
  return type && id ? `${type}/${id}` : null;
}

// Beam types every course has in some form; a named technique (IMRT, SBRT, proton) says more.
const PLAIN_BEAMS = new Set(['photon', 'electron', 'EBRT']);

/** "radiation to Right breast", "IMRT to base of tongue". */
function radiationName(course: RadiationCourseSummary): string {
  const what = course.modality && !PLAIN_BEAMS.has(course.modality) ? course.modality : 'radiation';
  return `${what}${course.site ? ` to ${course.site}` : ''}`;
}

export function buildTreatmentSummary(records: readonly StoredRecord[], options: TreatmentSummaryOptions = {}): TreatmentSummary {
  const usable = usableRecords(records);
  const index = new RecordIndex(usable, resourceKey);
  const asOf = fhirDate(options.asOf);
  const medicineGroups = summariseMedicines(usable, index, asOf ? { asOf } : {});
  const radiation = summariseRadiation(usable);
  const candidates: TreatmentCandidate[] = [
    ...medicineGroups.map((group) => ({
      treatment: {
        kind: 'medicine' as const,
        name: group.summary.ingredient,
        firstDate: group.summary.firstDate,
        lastDate: group.summary.lastDate,
        ongoing: group.summary.status === 'ongoing',
      },
      recordIds: new Set(group.summary.recordIds),
      names: group.names,
      keys: group.keys,
    })),
    ...radiation.map((course) => ({
      treatment: {
        kind: 'radiation' as const,
        name: radiationName(course),
        firstDate: course.startDate,
        lastDate: course.endDate,
        ongoing: false,
      },
      recordIds: new Set(course.recordIds),
      names: [],
      keys: [],
      site: course.site,
    })),
  ];
  return {
    medicines: medicineGroups.map((group) => group.summary),
    radiation,
    sideEffects: summariseSideEffects(usable, candidates, index, options),
  };
}
