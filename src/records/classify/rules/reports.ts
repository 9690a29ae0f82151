// DiagnosticReport, DocumentReference and Composition: what kind of report or document
// this is, from its type/code, categories, title and profile (rules 3, 5–13, 19, 31–32).

import type { CategoryId } from '../../categories.js';
import {
  CLINICAL_NOTE_LOINC,
  DISCHARGE_LOINC,
  EKG_LOINC,
  ENDOSCOPY_REPORT_LOINC,
  GENOMIC_LOINC,
  IMAGING_LOINC,
  LAB_REPORT_LOINC,
  OPERATIVE_NOTE_LOINC,
  PATHOLOGY_REPORT_LOINC,
  PROCEDURE_NOTE_LOINC,
  PULMONARY_FUNCTION_LOINC,
  RECORD_SUMMARY_LOINC,
  TUMOR_MARKER_LOINC,
} from '../codes/loinc.js';
import type { ProcedureKind } from '../codes/procedures.js';
import type { ProfileSignal } from '../codes/profiles.js';
import type { ResultKind } from '../codes/report-categories.js';
import { RADIATION_SUMMARY_TITLE } from '../codes/radiotherapy.js';
import {
  CARDIOLOGY_WORDS,
  CLINICAL_NOTE_WORDS,
  DISCHARGE_WORDS,
  EKG_WORDS,
  IMAGING_WORDS,
  LAB_REPORT_TITLE,
  LAB_TEST_WORDS,
  MEDICATION_TREATMENT_SUMMARY_TITLE,
  NOT_AN_OPERATION_WORDS,
  OPERATION_WORDS,
  OPERATIVE_NOTE_WORDS,
  PATHOLOGY_REPORT_TITLE,
  PATHOLOGY_WORDS,
  PROCEDURE_DOCUMENT_WORDS,
  PROCEDURE_NOTE_WORDS,
  PULMONARY_FUNCTION_WORDS,
  RECORD_SUMMARY_WORDS,
  TREATMENT_PROCEDURE_WORDS,
  TUMOR_MARKER_WORDS,
} from '../codes/text-signals.js';
import { objects, type JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, field, hasCode, lower, narrativeText, profilesOf, type Coding } from '../fhir.js';
import { procedureKindsOf, profileSignals, resultKindsOfCategories, titlesNameImaging } from '../signals.js';

interface ReportFacts {
  readonly isDiagnosticReport: boolean;
  /** Codings of the report's code/type and any LOINC document codes among its categories. */
  readonly kindCodings: readonly Coding[];
  /** Titles: code/type text and displays, attachment titles, description, Composition title. */
  readonly titles: readonly string[];
  readonly titleText: string;
  readonly categoryKinds: ReadonlySet<ResultKind>;
  readonly profileSignals: ReadonlySet<ProfileSignal>;
  /** What CPT/HCPCS/SNOMED codes among the kind codings say (e.g. CPT 88305 → pathology). */
  readonly procedureKinds: ReadonlySet<ProcedureKind>;
}

function readReportFacts(resource: JsonObject): ReportFacts {
  const isDiagnosticReport = resource.resourceType === 'DiagnosticReport';
  const kindConcept = isDiagnosticReport ? resource.code : resource.type;
  const typeCodings = codingsOf(kindConcept);
  // Some EHRs put the LOINC document code in the category (Cerner: 18842-5); LOINC parts (LP…) are kinds of report.
  const categoryLoinc = codingsOf(resource.category).filter((c) => c.system === 'loinc' && !c.code.startsWith('LP'));
  const attachments = [...objects(resource.content).map((c) => c.attachment), ...objects(resource.presentedForm)];
  const titles = [
    ...objects(kindConcept).map((concept) => lower(concept.text)),
    ...typeCodings.map((c) => c.display),
    ...attachments.map((attachment) => lower(field(attachment, 'title'))),
    lower(resource.description),
    lower(resource.title),
  ].filter(Boolean);
  // A document with no type or title is read from its narrative, if it has one.
  const narrative = titles.length === 0 ? narrativeText(resource) : '';
  if (narrative) titles.push(narrative);
  const kindCodings = [...typeCodings, ...categoryLoinc];
  return {
    isDiagnosticReport,
    kindCodings,
    procedureKinds: procedureKindsOf(kindCodings),
    titles,
    titleText: titles.join(' | '),
    categoryKinds: resultKindsOfCategories(resource.category),
    profileSignals: profileSignals(profilesOf(resource)),
  };
}

function loinc(facts: ReportFacts, codes: ReadonlySet<string>): boolean {
  return hasCode(facts.kindCodings, 'loinc', codes);
}

function isPathology(facts: ReportFacts): boolean {
  const kinds = facts.procedureKinds;
  return (
    facts.profileSignals.has('pathology') ||
    loinc(facts, PATHOLOGY_REPORT_LOINC) ||
    loinc(facts, GENOMIC_LOINC) ||
    loinc(facts, TUMOR_MARKER_LOINC) ||
    kinds.has('pathology') ||
    kinds.has('tumor-marker') ||
    facts.categoryKinds.has('pathology') ||
    PATHOLOGY_WORDS.test(facts.titleText) ||
    TUMOR_MARKER_WORDS.test(facts.titleText)
  );
}

function isImaging(facts: ReportFacts): boolean {
  if (loinc(facts, IMAGING_LOINC) || facts.procedureKinds.has('imaging')) return true;
  if (facts.categoryKinds.has('imaging')) return true;
  if (IMAGING_WORDS.test(facts.titleText)) return true;
  // Modality abbreviations never in lab reports, where "CT" means count.
  return !facts.categoryKinds.has('lab') && titlesNameImaging(facts.titles);
}

function isEkg(facts: ReportFacts): boolean {
  return (
    loinc(facts, EKG_LOINC) ||
    facts.procedureKinds.has('ekg') ||
    facts.categoryKinds.has('ekg') ||
    EKG_WORDS.test(facts.titleText)
  );
}

function isPulmonaryFunction(facts: ReportFacts): boolean {
  return (
    loinc(facts, PULMONARY_FUNCTION_LOINC) ||
    facts.procedureKinds.has('pulmonary') ||
    facts.categoryKinds.has('pulmonary') ||
    PULMONARY_FUNCTION_WORDS.test(facts.titleText)
  );
}

function isLab(facts: ReportFacts): boolean {
  if (facts.profileSignals.has('note') || facts.categoryKinds.has('note')) return false;
  return (
    facts.categoryKinds.has('lab') ||
    facts.profileSignals.has('lab') ||
    loinc(facts, LAB_REPORT_LOINC) ||
    facts.procedureKinds.has('lab') ||
    LAB_REPORT_TITLE.test(facts.titleText) ||
    (facts.isDiagnosticReport && LAB_TEST_WORDS.test(facts.titleText))
  );
}

function isOperationReport(facts: ReportFacts): boolean {
  if (loinc(facts, OPERATIVE_NOTE_LOINC) || loinc(facts, ENDOSCOPY_REPORT_LOINC)) return true;
  if (OPERATIVE_NOTE_WORDS.test(facts.titleText)) return true;
  // A procedure note counts when its procedure is an operation, not an injection or infusion (rules 10–11).
  const isProcedureNote =
    loinc(facts, PROCEDURE_NOTE_LOINC) ||
    PROCEDURE_NOTE_WORDS.test(facts.titleText) ||
    (PROCEDURE_DOCUMENT_WORDS.test(facts.titleText) && OPERATION_WORDS.test(facts.titleText));
  return isProcedureNote && !NOT_AN_OPERATION_WORDS.test(facts.titleText) && !TREATMENT_PROCEDURE_WORDS.test(facts.titleText);
}

/**
 * A clinical note (progress, H&P, consult, ED, nursing) is not a result, even when its title
 * mentions one ("Progress note – CT reviewed"). Reports coded as a study (LOINC, CPT) are not notes.
 */
function isClinicalNote(facts: ReportFacts): boolean {
  if (loinc(facts, CLINICAL_NOTE_LOINC)) return true;
  const codedAsStudy =
    loinc(facts, IMAGING_LOINC) || loinc(facts, EKG_LOINC) || loinc(facts, PATHOLOGY_REPORT_LOINC) || facts.procedureKinds.size > 0;
  return !facts.isDiagnosticReport && !codedAsStudy && CLINICAL_NOTE_WORDS.test(facts.titleText);
}

export function classifyReport(resource: JsonObject): CategoryId[] {
  const facts = readReportFacts(resource);
  if (loinc(facts, RECORD_SUMMARY_LOINC) || RECORD_SUMMARY_WORDS.test(facts.titleText)) return [];
  if (loinc(facts, DISCHARGE_LOINC) || DISCHARGE_WORDS.test(facts.titleText)) return ['discharge-summaries'];
  if (facts.categoryKinds.has('radiation') || RADIATION_SUMMARY_TITLE.test(facts.titleText)) {
    return ['radiation-treatment-summary'];
  }
  if (MEDICATION_TREATMENT_SUMMARY_TITLE.test(facts.titleText)) return ['medication-treatment-summary'];
  if (PATHOLOGY_REPORT_TITLE.test(facts.titleText)) return ['pathology-reports'];
  if (isOperationReport(facts)) return ['operation-reports'];
  if (isClinicalNote(facts)) return [];
  if (isPathology(facts)) return ['pathology-reports'];
  if (isEkg(facts)) return ['health-history-tests'];
  if (isImaging(facts)) return ['imaging-results'];
  if (isPulmonaryFunction(facts)) return ['health-history-tests'];
  if (isLab(facts)) return ['health-history-tests'];
  // A cardiology report that is neither an image nor named is a tracing-type test (Holter, stress ECG).
  if (facts.isDiagnosticReport && CARDIOLOGY_WORDS.test(conceptMatchText(resource.category))) return ['health-history-tests'];
  return [];
}
