// The radiation treatment summary: one line per course, from course summaries, treatment records and RT summary documents.

import { extractBinderFields, type BinderFields } from './binder-fields.js';
import { asObject, daysBetween, earliest, latest, resourceTypeOf, text } from './fhir-read.js';
import { modalitySpecificity, radiationFacts, type RadiationFacts } from './radiation-facts.js';
import { mergeSources, type PortalSource, type StoredRecord } from './stored-record.js';

export const RADIATION_TREATMENT_CATEGORY = 'radiation-treatment-summary';

export interface RadiationCourseSummary {
  site: string | null;
  /**
   * The technique that delivered the course's dose (photon, electron, proton, SRS, SBRT, brachytherapy,
   * IMRT, VMAT, 3D-CRT, EBRT): the one named beside the dose, else the most specific one the records name.
   */
  modality: string | null;
  totalDoseGy: number | null;
  fractions: number | null;
  /** The first and last fraction: treatment records only (not planning, simulation or a summary's date). */
  startDate: string | null;
  endDate: string | null;
  sources: PortalSource[];
  recordIds: string[];
  /** For each figure above (site, modality, totalDoseGy, fractions, startDate, endDate), the records it came from. */
  evidence: Record<string, string[]>;
}

// Documents describe a course after the fact: their date is when they were written, not when treatment was.
const DOCUMENT_TYPES = new Set(['DocumentReference', 'DiagnosticReport', 'Composition']);
const WITHDRAWN_STATUS = new Set(['entered-in-error', 'not-done', 'cancelled', 'preparation']);

// Rule: treatment records at most this many days after the course's last date belong to the same course
// (weekly treatment-management records, a break for a holiday); a longer gap starts a new course.
const SAME_COURSE_GAP_DAYS = 14;
// Rule: an RT summary document written up to this long after a course describes that course.
const DOCUMENT_AFTER_COURSE_DAYS = 60;

interface RadiationRecord {
  record: StoredRecord;
  fields: BinderFields;
  facts: RadiationFacts;
  isDocument: boolean;
  /** Planning, simulation and dosimetry: before the first fraction, so not a treatment date. */
  isPlanning: boolean;
}

// CPT 77261–77370: clinical treatment planning, simulation, dosimetry, devices and physics (before
// delivery); 77371 and later are delivery and management.
const PLANNING_CPT = /^77(2[6-9]\d|3[0-6]\d|370)$/;
const PLANNING_WORDS = /\b(planning|simulation|dosimetry|isodose|treatment devices?|physics consult)\b/i;
// Rule: planning for a course happens up to this many days before its first fraction.
const PLANNING_BEFORE_COURSE_DAYS = 45;

function isPlanningRecord(fields: BinderFields): boolean {
  if (fields.codes.some((code) => code.system === 'http://www.ama-assn.org/go/cpt' && PLANNING_CPT.test(code.code))) return true;
  return PLANNING_WORDS.test(fields.title) && !/\b(course|delivery|fraction)\b/i.test(fields.title);
}

interface Course {
  treatments: RadiationRecord[];
  documents: RadiationRecord[];
  site: string | null;
  start: string | null;
  end: string | null;
}

function sameSite(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return true;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.includes(y) || y.includes(x);
}

function withinDays(date: string, from: string | null, to: string | null, before: number, after: number): boolean {
  if (!from || !to) return false;
  const sinceStart = daysBetween(from, date);
  const sinceEnd = daysBetween(to, date);
  return sinceStart !== null && sinceEnd !== null && sinceStart >= -before && sinceEnd <= after;
}

function distance(date: string, other: string | null): number {
  const days = other ? daysBetween(other, date) : null;
  return days === null ? Number.POSITIVE_INFINITY : Math.abs(days);
}

export function summariseRadiation(records: readonly StoredRecord[]): RadiationCourseSummary[] {
  const items: RadiationRecord[] = records
    .filter((record) => record.categories.includes(RADIATION_TREATMENT_CATEGORY))
    .filter((record) => !WITHDRAWN_STATUS.has(text(asObject(record.resource)?.status) ?? ''))
    .map((record) => {
      const fields = extractBinderFields(record.resource);
      const isDocument = DOCUMENT_TYPES.has(resourceTypeOf(record.resource) ?? '');
      return { record, fields, facts: radiationFacts(record.resource), isDocument, isPlanning: !isDocument && isPlanningRecord(fields) };
    });

  const courses: Course[] = [];
  const treatments = items
    .filter((item) => !item.isDocument && !item.isPlanning)
    .sort((a, b) => (a.fields.date ?? '9999').localeCompare(b.fields.date ?? '9999'));
  for (const item of treatments) {
    const start = item.fields.date;
    const end = item.fields.endDate ?? item.fields.date;
    const compatible = courses.filter((course) => sameSite(course.site, item.facts.site));
    const course = start
      ? compatible.find((candidate) => withinDays(start, candidate.start, candidate.end, SAME_COURSE_GAP_DAYS, SAME_COURSE_GAP_DAYS))
      : compatible.length === 1
        ? compatible[0]
        : undefined;
    if (course) {
      course.treatments.push(item);
      course.site ??= item.facts.site;
      course.start = earliest([course.start, start]);
      course.end = latest([course.end, end]);
    } else {
      courses.push({ treatments: [item], documents: [], site: item.facts.site, start, end });
    }
  }

  // Rule: planning belongs to the course that starts within weeks after it; it never moves the course's dates.
  for (const item of items.filter((candidate) => candidate.isPlanning)) {
    const day = item.fields.date;
    const compatible = courses.filter((course) => sameSite(course.site, item.facts.site));
    const course = day
      ? compatible
          .filter((candidate) => withinDays(day, candidate.start, candidate.end, PLANNING_BEFORE_COURSE_DAYS, 0))
          .sort((a, b) => distance(day, a.start) - distance(day, b.start))[0]
      : compatible.length === 1
        ? compatible[0]
        : undefined;
    if (course) course.documents.push(item);
    else courses.push({ treatments: [], documents: [item], site: item.facts.site, start: null, end: null });
  }

  for (const item of items.filter((candidate) => candidate.isDocument)) {
    const anchor = item.fields.endDate ?? item.fields.date;
    const compatible = courses.filter((course) => sameSite(course.site, item.facts.site));
    // The course that ended nearest to when the document was written.
    const course = anchor
      ? compatible
          .filter((candidate) => withinDays(anchor, candidate.start, candidate.end, 7, DOCUMENT_AFTER_COURSE_DAYS))
          .sort((a, b) => distance(anchor, a.end) - distance(anchor, b.end))[0]
      : compatible.length === 1
        ? compatible[0]
        : undefined;
    if (course) course.documents.push(item);
    else courses.push({ treatments: [], documents: [item], site: item.facts.site, start: null, end: null });
  }

  return courses.map(summariseCourse).sort((a, b) => (a.startDate ?? '9999').localeCompare(b.startDate ?? '9999'));
}

function summariseCourse(course: Course): RadiationCourseSummary {
  const members = [...course.treatments, ...course.documents];
  // Rule: a coded dose (mCODE dose delivered, in cGy → Gy) beats a dose read from words; the largest
  // dose is the one to the primary target.
  const withDose = members.filter((member) => member.facts.totalDoseGy !== null);
  const structured = withDose.filter((member) => member.facts.doseFrom === 'structured');
  const doseSource = (structured.length > 0 ? structured : withDose).reduce<RadiationRecord | null>(
    (best, member) => (best === null || (member.facts.totalDoseGy ?? 0) > (best.facts.totalDoseGy ?? 0) ? member : best),
    null,
  );
  // Rule: the technique is the one that delivered the course's dose; another record's more specific
  // word (IMRT in a summary) only fills in when the dose's record names none.
  const modalitySource =
    (doseSource?.facts.modality ? doseSource : null) ??
    members.filter((member) => member.facts.modality !== null).sort((a, b) => modalitySpecificity(a.facts.modality) - modalitySpecificity(b.facts.modality))[0] ??
    null;
  const recordOrder = members.map((member) => member.record);
  const siteSource = course.site !== null ? members.filter((member) => member.facts.site === course.site) : members.filter((member) => member.facts.site !== null).slice(0, 1);
  const fractionSource = doseSource?.facts.fractions != null ? doseSource : (members.find((member) => member.facts.fractions !== null) ?? null);
  const dated = course.treatments;
  return {
    site: course.site ?? siteSource[0]?.facts.site ?? null,
    modality: modalitySource?.facts.modality ?? null,
    totalDoseGy: doseSource?.facts.totalDoseGy ?? null,
    fractions: fractionSource?.facts.fractions ?? null,
    startDate: course.start,
    endDate: course.end,
    sources: mergeSources(recordOrder.map((record) => record.sources)),
    recordIds: [...new Set(recordOrder.map((record) => record.id))],
    evidence: {
      site: siteSource.map((member) => member.record.id),
      modality: modalitySource ? [modalitySource.record.id] : [],
      totalDoseGy: doseSource ? [doseSource.record.id] : [],
      fractions: fractionSource ? [fractionSource.record.id] : [],
      startDate: dated.filter((member) => member.fields.date === course.start).map((member) => member.record.id),
      endDate: dated.filter((member) => (member.fields.endDate ?? member.fields.date) === course.end).map((member) => member.record.id),
    },
  };
}
