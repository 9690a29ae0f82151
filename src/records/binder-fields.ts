// The fields the binder shows for one stored FHIR resource.
// Pure and total: any input, however odd, gives a BinderFields with a non-empty title.

import {
  asObject,
  at,
  cleanLabel,
  codeInWords,
  codings,
  conceptCode,
  conceptText,
  fhirDate,
  num,
  objects,
  parseReference,
  resourceTypeOf,
  text,
  typeInWords,
  uniqueStrings,
  type BinderCode,
  type JsonObject,
} from './fhir-read.js';
import { readableQuantity, readableTitle, readableUnit } from './display.js';
import { describeDosageFrequency } from './timing.js';

export type { BinderCode } from './fhir-read.js';

export interface ReferenceRange {
  low?: number;
  high?: number;
  text?: string;
}

export interface ResultComponent {
  title: string;
  value: number | string;
  /** As a patient reads it (`10*3/uL` → ×10³/µL); see display.ts. */
  unit?: string;
  /** The value with its unit, ready to show: "128 mmHg". */
  display: string;
}

export interface ResultValue {
  /** A number for quantities and integers; words for coded, text, boolean, range and ratio values; "128/82" for components. */
  value: number | string;
  /** As a patient reads it (`[iU]` → IU, `10*3/uL` → ×10³/µL), never a raw UCUM code. */
  unit?: string;
  /** "<", "<=", ">=" or ">" when the lab reported a bound rather than a value. */
  comparator?: string;
  /** The value, comparator and unit ready to show: "2,000 IU", "< 5 mg/L", "128/82 mmHg". */
  display: string;
  referenceRange?: ReferenceRange;
  interpretation?: string;
  /** The parts of a multi-part result such as blood pressure. */
  components?: ResultComponent[];
}

export interface MedicineDose {
  amount?: number;
  /** As a patient reads it (`[iU]` → IU, `mg/m2` → mg/m²). */
  unit?: string;
  /** Amount and unit ready to show: "2,000 IU". */
  display?: string;
  route?: string;
  /** Human words: "2 times a day", "every 21 days", else the timing code text or the dosage text. */
  frequency?: string;
  text?: string;
}

export interface DocumentAttachment {
  url?: string;
  contentType?: string;
  title?: string;
  size?: number;
  /** Base64 SHA-1 of the content, as FHIR defines Attachment.hash. */
  hash?: string;
  /** The content is inline in the resource (attachment.data) rather than behind a URL. */
  embedded?: boolean;
  /**
   * Where the document is fetched from and stored (documents.source_url): `url` resolved against the
   * source's FHIR base when the record is written (src/records/source-url.ts); absent when the
   * URL is off the portal, so never fetched.
   */
  sourceUrl?: string;
}

export interface ResourceRef {
  resourceType: string;
  id: string;
  /** Present when the portal gave an absolute URL, which the sync should fetch as is. */
  url?: string;
}

/** What an ImagingStudy says about the exam. */
export interface StudyFacts {
  /** Patient words for the DICOM modalities: "CT", "MRI", "Mammography", "Ultrasound". */
  modalities: string[];
  series: number | null;
  instances: number | null;
}

export interface BinderFields {
  resourceType: string | null;
  id: string | null;
  /** Readable: an all-caps portal title is put in readable case, keeping abbreviations (display.ts). */
  title: string;
  /** The clinically meaningful date, as the portal wrote it (FHIR date/dateTime). */
  date: string | null;
  endDate: string | null;
  /** The status in lower-case words ("active", "entered in error"). */
  status: string | null;
  codes: BinderCode[];
  value: ResultValue | null;
  dose: MedicineDose | null;
  documents: DocumentAttachment[];
  /** ImagingStudy: modality, series and instances. */
  study: StudyFacts | null;
  /** DiagnosticReport: the conclusion in words. */
  conclusion: string | null;
  /** The id of the patient this record is about, or null when it names none (or names a non-patient). */
  patientRef: string | null;
  /** Supporting resources the sync should fetch (practitioners, organizations, medications, locations, binaries). */
  references: ResourceRef[];
}

export function extractBinderFields(resource: unknown): BinderFields {
  const r = asObject(resource) ?? {};
  const type = resourceTypeOf(r);
  const dates = datesOf(r, type);
  return {
    resourceType: type,
    id: text(r.id),
    // A Patient's title is a name, whose capitals are the portal's to keep.
    title: type === 'Patient' ? titleOf(r, type) : readableTitle(titleOf(r, type)),
    date: dates.date,
    endDate: dates.endDate,
    status: statusOf(r, type),
    codes: codesOf(r, type),
    value: type === 'Observation' ? resultValue(r) : null,
    dose: doseOf(r, type),
    documents: documentsOf(r),
    study: type === 'ImagingStudy' ? studyFacts(r) : null,
    conclusion: type === 'DiagnosticReport' ? (text(r.conclusion) ?? conceptText(objects(r.conclusionCode)[0])) : null,
    patientRef: patientIdOf(r, type),
    references: fetchableReferences(r),
  };
}

// ---------------------------------------------------------------------------------------------
// Title

function titleOf(r: JsonObject, type: string | null): string {
  return specificTitle(r, type) ?? genericTitle(r) ?? (type ? typeInWords(type) : 'Record');
}

function specificTitle(r: JsonObject, type: string | null): string | null {
  switch (type ?? '') {
    case 'DocumentReference':
      return (
        cleanLabel(r.description) ??
        cleanLabel(at(r, 'type', 'text')) ??
        firstAttachmentTitle(objects(r.content).map((content) => content.attachment)) ??
        conceptText(r.type)
      );
    case 'MedicationRequest':
    case 'MedicationStatement':
    case 'MedicationAdministration':
    case 'MedicationDispense':
      return medicationName(r);
    case 'Immunization':
      return conceptText(r.vaccineCode);
    case 'Encounter':
      return encounterTitle(r);
    case 'ImagingStudy':
      return imagingTitle(r);
    case 'AllergyIntolerance': {
      const substance = conceptText(r.code) ?? reactionSubstance(r);
      return substance ? `Allergy: ${substance}` : null;
    }
    case 'AdverseEvent':
      return conceptText(r.event);
    case 'DiagnosticReport':
      return conceptText(r.code) ?? firstAttachmentTitle(objects(r.presentedForm));
    case 'Patient':
      return patientName(r);
    default:
      return null;
  }
}

/** Fields that title most other resources: code (Observation, Condition, Procedure, …), title, name. */
function genericTitle(r: JsonObject): string | null {
  return conceptText(r.code) ?? cleanLabel(r.title) ?? cleanLabel(r.name) ?? conceptText(objects(r.type)[0]);
}

function firstAttachmentTitle(attachments: readonly unknown[]): string | null {
  for (const attachment of attachments) {
    const title = cleanLabel(at(attachment, 'title'));
    if (title) return title;
  }
  return null;
}

function reactionSubstance(r: JsonObject): string | null {
  for (const reaction of objects(r.reaction)) {
    const substance = conceptText(reaction.substance);
    if (substance) return substance;
  }
  return null;
}

function patientName(r: JsonObject): string | null {
  const name = objects(r.name)[0];
  if (!name) return null;
  const given = Array.isArray(name.given) ? name.given.map(text).filter(Boolean).join(' ') : '';
  return text(name.text) ?? text(`${given} ${text(name.family) ?? ''}`);
}

/** The medication a medication resource is about: its CodeableConcept, else a contained Medication, else the reference display. */
export function medicationConcept(r: JsonObject): unknown {
  if (asObject(r.medicationCodeableConcept)) return r.medicationCodeableConcept;
  const contained = containedMedication(r);
  if (contained) return contained.code;
  return undefined;
}

function medicationName(r: JsonObject): string | null {
  const contained = containedMedication(r);
  return (
    conceptText(r.medicationCodeableConcept) ??
    (contained ? (conceptText(contained.code) ?? ingredientNames(contained)) : null) ??
    cleanLabel(at(r, 'medicationReference', 'display'))
  );
}

function containedMedication(r: JsonObject): JsonObject | null {
  const parsed = parseReference(at(r, 'medicationReference', 'reference'));
  if (parsed?.kind !== 'contained') return null;
  return objects(r.contained).find((item) => item.resourceType === 'Medication' && item.id === parsed.id) ?? null;
}

function ingredientNames(medication: JsonObject): string | null {
  const names = objects(medication.ingredient).map(
    (ingredient) => conceptText(ingredient.itemCodeableConcept) ?? cleanLabel(at(ingredient, 'itemReference', 'display')),
  );
  return text(uniqueStrings(names).join(' / '));
}

// An encounter reads as a stay when the patient was admitted, otherwise as a visit of its type.
const STAY_CLASSES: Record<string, string> = {
  IMP: 'Inpatient stay',
  ACUTE: 'Inpatient stay',
  NONAC: 'Inpatient stay',
  OBSENC: 'Observation stay',
};
const VISIT_CLASSES: Record<string, string> = {
  AMB: 'Outpatient visit',
  EMER: 'Emergency visit',
  VR: 'Virtual visit',
  HH: 'Home visit',
  FLD: 'Field visit',
  SS: 'Day surgery visit',
  PRENC: 'Pre-admission visit',
};

function encounterTitle(r: JsonObject): string | null {
  const classCode = text(at(r, 'class', 'code'))?.toUpperCase() ?? null;
  const stay = classCode ? STAY_CLASSES[classCode] : undefined;
  if (stay) return stay;
  const typeText = conceptText(objects(r.type)[0]);
  if (typeText) return typeText;
  const visit = classCode ? VISIT_CLASSES[classCode] : undefined;
  if (visit) return visit;
  const classDisplay = cleanLabel(at(r, 'class', 'display'));
  return classDisplay ? `${classDisplay.charAt(0).toUpperCase()}${classDisplay.slice(1)}` : null;
}

function imagingTitle(r: JsonObject): string | null {
  const described = cleanLabel(r.description) ?? conceptText(objects(r.procedureCode)[0]);
  if (described) return described;
  const modalities = uniqueStrings(
    [...objects(r.modality), ...objects(r.series).map((series) => asObject(series.modality) ?? {})].map(
      (coding) => cleanLabel(coding.display) ?? text(coding.code),
    ),
  );
  return modalities.length > 0 ? `Imaging study: ${modalities.join(', ')}` : null;
}

// ---------------------------------------------------------------------------------------------
// Dates: for each resource type, the fields that carry the clinically meaningful date, best first.

type DateField = Array<string | number>;
interface DateRule {
  start: DateField[];
  end: DateField[];
}

const FIRST_DOSAGE_BOUNDS = ['dosageInstruction', 0, 'timing', 'repeat', 'boundsPeriod'];

const DATE_RULES: Record<string, DateRule> = {
  Observation: {
    start: [['effectiveDateTime'], ['effectivePeriod', 'start'], ['effectiveInstant'], ['effectiveTiming', 'event', 0], ['issued']],
    end: [['effectivePeriod', 'end']],
  },
  DiagnosticReport: { start: [['effectiveDateTime'], ['effectivePeriod', 'start'], ['issued']], end: [['effectivePeriod', 'end']] },
  Procedure: { start: [['performedDateTime'], ['performedPeriod', 'start']], end: [['performedPeriod', 'end']] },
  // An order's end is when therapy is meant to stop, else when the prescription stops being valid.
  MedicationRequest: {
    start: [['authoredOn'], [...FIRST_DOSAGE_BOUNDS, 'start']],
    end: [[...FIRST_DOSAGE_BOUNDS, 'end'], ['dispenseRequest', 'validityPeriod', 'end']],
  },
  MedicationStatement: { start: [['effectiveDateTime'], ['effectivePeriod', 'start'], ['dateAsserted']], end: [['effectivePeriod', 'end']] },
  MedicationAdministration: { start: [['effectiveDateTime'], ['effectivePeriod', 'start']], end: [['effectivePeriod', 'end']] },
  MedicationDispense: { start: [['whenHandedOver'], ['whenPrepared']], end: [] },
  Immunization: { start: [['occurrenceDateTime'], ['recorded']], end: [] },
  Condition: {
    start: [['onsetDateTime'], ['onsetPeriod', 'start'], ['recordedDate']],
    end: [['abatementDateTime'], ['abatementPeriod', 'end'], ['abatementPeriod', 'start']],
  },
  AllergyIntolerance: { start: [['onsetDateTime'], ['onsetPeriod', 'start'], ['recordedDate']], end: [] },
  AdverseEvent: { start: [['date'], ['detected'], ['recordedDate']], end: [] },
  Encounter: { start: [['period', 'start']], end: [['period', 'end']] },
  ImagingStudy: { start: [['started']], end: [] },
  // A document's clinical date is the event it documents; its own date is when it was written.
  DocumentReference: { start: [['context', 'period', 'start'], ['date']], end: [['context', 'period', 'end']] },
  ServiceRequest: {
    start: [['occurrenceDateTime'], ['occurrencePeriod', 'start'], ['authoredOn']],
    end: [['occurrencePeriod', 'end']],
  },
  Claim: { start: [['billablePeriod', 'start'], ['created']], end: [['billablePeriod', 'end']] },
  ExplanationOfBenefit: { start: [['billablePeriod', 'start'], ['created']], end: [['billablePeriod', 'end']] },
  Patient: { start: [], end: [] },
};

const DEFAULT_DATE_RULE: DateRule = {
  start: [
    ['effectiveDateTime'],
    ['effectivePeriod', 'start'],
    ['occurrenceDateTime'],
    ['performedDateTime'],
    ['performedPeriod', 'start'],
    ['period', 'start'],
    ['authoredOn'],
    ['onsetDateTime'],
    ['started'],
    ['date'],
    ['recordedDate'],
    ['issued'],
    ['created'],
  ],
  end: [['effectivePeriod', 'end'], ['performedPeriod', 'end'], ['period', 'end']],
};

function firstDate(r: JsonObject, fields: DateField[]): string | null {
  for (const field of fields) {
    const date = fhirDate(at(r, ...field));
    if (date) return date;
  }
  return null;
}

function datesOf(r: JsonObject, type: string | null): { date: string | null; endDate: string | null } {
  const rule = (type ? DATE_RULES[type] : undefined) ?? DEFAULT_DATE_RULE;
  return {
    // meta.lastUpdated is the last resort: it says when the record changed, not when care happened.
    date: firstDate(r, rule.start) ?? fhirDate(at(r, 'meta', 'lastUpdated')),
    endDate: firstDate(r, rule.end),
  };
}

// ---------------------------------------------------------------------------------------------
// Status

function statusOf(r: JsonObject, type: string | null): string | null {
  switch (type ?? '') {
    case 'Condition':
    case 'AllergyIntolerance': {
      const code = conceptCode(r.clinicalStatus) ?? conceptCode(r.verificationStatus);
      return code ? codeInWords(code) : null;
    }
    case 'AdverseEvent': {
      const actuality = text(r.actuality);
      // A near miss ("potential") never happened, whatever its outcome says.
      if (actuality === 'potential') return 'potential';
      const outcome = conceptCode(r.outcome);
      return outcome ? codeInWords(outcome) : actuality ? codeInWords(actuality) : null;
    }
    default: {
      const status = text(r.status) ?? conceptCode(r.status);
      return status ? codeInWords(status) : null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Codes: the main code fields only (category is a filing hint, not what the record is).

function codesOf(r: JsonObject, type: string | null): BinderCode[] {
  let concepts: readonly unknown[];
  switch (type ?? '') {
    case 'Immunization':
      concepts = [r.vaccineCode];
      break;
    case 'MedicationRequest':
    case 'MedicationStatement':
    case 'MedicationAdministration':
    case 'MedicationDispense':
      concepts = [medicationConcept(r)];
      break;
    case 'DocumentReference':
      concepts = [r.type];
      break;
    case 'Encounter':
      concepts = objects(r.type);
      break;
    case 'ImagingStudy':
      concepts = objects(r.procedureCode);
      break;
    case 'AdverseEvent':
      concepts = [r.event];
      break;
    default:
      concepts = [r.code];
  }
  const out: BinderCode[] = [];
  for (const concept of concepts) {
    for (const coding of codings(concept)) {
      if (!out.some((kept) => kept.code === coding.code && kept.system === coding.system)) out.push(coding);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Result values

interface PlainValue {
  value: number | string;
  unit?: string;
  comparator?: string;
}

/** The unit as a patient reads it: the portal's unit text, else the UCUM code, made readable either way. */
function quantityUnit(quantity: unknown): string | undefined {
  const unit = text(at(quantity, 'unit')) ?? text(at(quantity, 'code'));
  return (unit && readableUnit(unit)) || undefined;
}

function quantityWords(quantity: unknown): string | null {
  const value = num(at(quantity, 'value'));
  if (value === null) return null;
  return readableQuantity(value, quantityUnit(quantity));
}

/** The value[x] of an Observation or one of its components. */
function plainValue(o: JsonObject): PlainValue | null {
  const quantity = asObject(o.valueQuantity);
  if (quantity) {
    const value = num(quantity.value);
    if (value === null) return null;
    const unit = quantityUnit(quantity);
    const comparator = text(quantity.comparator);
    return { value, ...(unit ? { unit } : {}), ...(comparator ? { comparator } : {}) };
  }
  const integer = num(o.valueInteger);
  if (integer !== null) return { value: integer };
  const string = text(o.valueString);
  if (string) return { value: string };
  if (typeof o.valueBoolean === 'boolean') return { value: o.valueBoolean ? 'yes' : 'no' };
  const coded = conceptText(o.valueCodeableConcept) ?? conceptCode(o.valueCodeableConcept);
  if (coded) return { value: coded };
  const low = quantityWords(at(o, 'valueRange', 'low'));
  const high = quantityWords(at(o, 'valueRange', 'high'));
  if (low || high) return { value: low && high ? `${low} – ${high}` : low ? `≥ ${low}` : `≤ ${high ?? ''}` };
  const numerator = quantityWords(at(o, 'valueRatio', 'numerator'));
  const denominator = quantityWords(at(o, 'valueRatio', 'denominator'));
  if (numerator && denominator) return { value: `${numerator} / ${denominator}` };
  const moment = fhirDate(o.valueDateTime) ?? text(o.valueTime);
  if (moment) return { value: moment };
  const periodStart = fhirDate(at(o, 'valuePeriod', 'start'));
  if (periodStart) return { value: `${periodStart} – ${fhirDate(at(o, 'valuePeriod', 'end')) ?? ''}`.trim() };
  return null;
}

function resultValue(r: JsonObject): ResultValue | null {
  const components: ResultComponent[] = [];
  for (const component of objects(r.component)) {
    const value = plainValue(component);
    if (value) {
      components.push({
        title: conceptText(component.code) ?? 'Part',
        value: value.value,
        ...(value.unit ? { unit: value.unit } : {}),
        display: readableQuantity(value.value, value.unit, value.comparator),
      });
    }
  }
  const own = plainValue(r);
  let result: ResultValue;
  if (own) {
    result = { ...own, display: readableQuantity(own.value, own.unit, own.comparator) };
  } else if (components.length > 0) {
    // Blood pressure and other panels carry their values in components: show them as "128/82".
    const units = uniqueStrings(components.map((component) => component.unit));
    const value = components.map((component) => String(component.value)).join('/');
    const unit = units.length === 1 && units[0] ? units[0] : undefined;
    result = {
      value,
      ...(unit ? { unit } : {}),
      display: unit ? readableQuantity(value, unit) : components.map((component) => component.display).join(' / '),
    };
  } else {
    return null;
  }
  const range = objects(r.referenceRange)[0];
  if (range) {
    const low = num(at(range, 'low', 'value'));
    const high = num(at(range, 'high', 'value'));
    const rangeText = text(range.text);
    if (low !== null || high !== null || rangeText) {
      result.referenceRange = {
        ...(low !== null ? { low } : {}),
        ...(high !== null ? { high } : {}),
        ...(rangeText ? { text: rangeText } : {}),
      };
    }
  }
  const interpretation = objects(r.interpretation)
    .map((concept) => conceptText(concept) ?? conceptCode(concept))
    .find((words) => words !== null);
  if (interpretation) result.interpretation = interpretation;
  if (components.length > 0) result.components = components;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Imaging study facts

// DICOM modality codes (CID 29) as patients know the exams; codes of non-image objects are left out.
const MODALITY_WORDS: Record<string, string | null> = {
  CT: 'CT',
  MR: 'MRI',
  PT: 'PET',
  NM: 'Nuclear medicine',
  MG: 'Mammography',
  US: 'Ultrasound',
  DX: 'X-ray',
  CR: 'X-ray',
  DR: 'X-ray',
  RG: 'X-ray',
  XA: 'Angiography',
  RF: 'Fluoroscopy',
  BMD: 'Bone density scan',
  ES: 'Endoscopy',
  SR: null,
  KO: null,
  PR: null,
  SEG: null,
  REG: null,
  DOC: null,
  OT: null,
};

function modalityWords(coding: JsonObject): string | null {
  const code = text(coding.code)?.toUpperCase() ?? null;
  if (code && code in MODALITY_WORDS) return MODALITY_WORDS[code] ?? null;
  return cleanLabel(coding.display) ?? code;
}

function studyFacts(r: JsonObject): StudyFacts {
  const series = objects(r.series);
  const modalities = uniqueStrings([...objects(r.modality), ...series.map((one) => asObject(one.modality) ?? {})].map(modalityWords));
  const seriesInstances = series.map((one) => num(one.numberOfInstances));
  const counted = seriesInstances.every((count) => count !== null) && series.length > 0 ? seriesInstances.reduce<number>((sum, count) => sum + (count ?? 0), 0) : null;
  return {
    modalities,
    series: num(r.numberOfSeries) ?? (series.length > 0 ? series.length : null),
    instances: num(r.numberOfInstances) ?? counted,
  };
}

// ---------------------------------------------------------------------------------------------
// Doses

function routeWords(route: unknown): string | undefined {
  // "Intravenous route (qualifier value)" → "Intravenous".
  const words = conceptText(route);
  return words ? (text(words.replace(/\s+route$/i, '')) ?? undefined) : undefined;
}

/** The Dosage (or MedicationAdministration.dosage) that describes this resource's dose. */
export function dosageOf(r: JsonObject, type: string | null): JsonObject | null {
  switch (type ?? '') {
    case 'MedicationRequest':
    case 'MedicationDispense':
      return objects(r.dosageInstruction)[0] ?? null;
    case 'MedicationStatement':
      return objects(r.dosage)[0] ?? null;
    case 'MedicationAdministration':
      return objects(r.dosage)[0] ?? null;
    default:
      return null;
  }
}

function doseOf(r: JsonObject, type: string | null): MedicineDose | null {
  if (type === 'Immunization') {
    return compactDose({ amount: num(at(r, 'doseQuantity', 'value')), unit: quantityUnit(r.doseQuantity), route: routeWords(r.route) });
  }
  const dosage = dosageOf(r, type);
  if (!dosage) return null;
  const quantity = asObject(dosage.dose) ?? asObject(at(objects(dosage.doseAndRate)[0], 'doseQuantity')) ?? asObject(at(objects(dosage.doseAndRate)[0], 'doseRange', 'low'));
  const dosageText = text(dosage.text);
  // A single administration has no frequency; its dosage text is a description, not a schedule.
  const frequency =
    type === 'MedicationAdministration' ? null : (describeDosageFrequency(dosage) ?? conceptText(at(dosage, 'timing', 'code')) ?? dosageText);
  return compactDose({
    amount: num(quantity?.value),
    unit: quantityUnit(quantity),
    route: routeWords(dosage.route),
    frequency,
    text: dosageText,
  });
}

function compactDose(dose: { amount: number | null; unit?: string | undefined; route?: string | undefined; frequency?: string | null; text?: string | null }): MedicineDose | null {
  const out: MedicineDose = {};
  if (dose.amount !== null) out.amount = dose.amount;
  if (dose.unit) out.unit = dose.unit;
  if (dose.amount !== null) out.display = readableQuantity(dose.amount, dose.unit);
  if (dose.route) out.route = dose.route;
  if (dose.frequency) out.frequency = dose.frequency;
  if (dose.text) out.text = dose.text;
  return Object.keys(out).length > 0 ? out : null;
}

// ---------------------------------------------------------------------------------------------
// Documents

function documentsOf(r: JsonObject): DocumentAttachment[] {
  const attachments = [...objects(r.content).map((content) => content.attachment), ...objects(r.presentedForm)];
  const out: DocumentAttachment[] = [];
  for (const candidate of attachments) {
    const attachment = asObject(candidate);
    if (!attachment) continue;
    const document: DocumentAttachment = {};
    const url = text(attachment.url);
    const contentType = text(attachment.contentType);
    const title = cleanLabel(attachment.title);
    const size = num(attachment.size);
    const hash = text(attachment.hash);
    if (url) document.url = url;
    if (contentType) document.contentType = contentType;
    if (title) document.title = title;
    if (size !== null && size >= 0) document.size = size;
    if (hash) document.hash = hash;
    if (text(attachment.data)) document.embedded = true;
    if (Object.keys(document).length > 0) out.push(document);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Patient references

const PATIENT_FIELDS = ['subject', 'patient', 'beneficiary'] as const;

/**
 * The patient id a reference names. Synthea-style `urn:uuid:<id>` counts as a patient id because
 * those exports give the Patient the same id; a reference typed or written as another resource
 * (Group/…, Device/…) does not.
 */
function patientIdFromReference(reference: JsonObject): string | null {
  const declaredType = text(reference.type);
  const parsed = parseReference(reference.reference);
  if (!parsed) return null;
  switch (parsed.kind) {
    case 'relative':
    case 'absolute':
      return parsed.resourceType === 'Patient' ? parsed.id : null;
    case 'urn':
      return declaredType === null || declaredType === 'Patient' ? parsed.value : null;
    case 'contained':
      return null;
  }
}

/** Every patient id named in the subject, patient and beneficiary fields (the sync rejects records of another patient). */
export function referencedPatientIds(resource: unknown): string[] {
  const r = asObject(resource);
  if (!r) return [];
  return uniqueStrings(PATIENT_FIELDS.flatMap((field) => objects(r[field]).map(patientIdFromReference)));
}

function patientIdOf(r: JsonObject, type: string | null): string | null {
  // A Patient resource is about itself.
  if (type === 'Patient') return text(r.id);
  for (const field of PATIENT_FIELDS) {
    for (const reference of objects(r[field])) {
      const id = patientIdFromReference(reference);
      if (id) return id;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Supporting references the sync should fetch

export const FETCHABLE_REFERENCE_TYPES: ReadonlySet<string> = new Set([
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Medication',
  'Location',
  'Binary',
]);

const MAX_DEPTH = 24;
/** Bounds the walk for inputs that are not JSON trees (shared or cyclic objects). */
const MAX_NODES = 50_000;

function fetchableReferences(r: JsonObject): ResourceRef[] {
  const walk: ReferenceWalk = { found: new Map(), budget: MAX_NODES };
  walkForReferences(walk, r, 0, false);
  const found = walk.found;
  if (found.size === 0) return [];
  // A relative and an absolute reference to the same resource: keep the absolute one, which can be fetched as is.
  const absolute = new Set([...found.values()].filter((ref) => ref.url).map((ref) => `${ref.resourceType}/${ref.id}`));
  return [...found.values()].filter((ref) => ref.url || !absolute.has(`${ref.resourceType}/${ref.id}`));
}

interface ReferenceWalk {
  found: Map<string, ResourceRef>;
  budget: number;
}

// Runs on every resource of a sync: plain loops and module-level functions, no per-node allocation.
function walkForReferences(walk: ReferenceWalk, node: unknown, depth: number, inAttachment: boolean): void {
  if (depth > MAX_DEPTH || typeof node !== 'object' || node === null || --walk.budget < 0) return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) walkForReferences(walk, node[i], depth + 1, inAttachment);
    return;
  }
  const object = node as JsonObject;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (key === 'reference') addFetchableReference(walk.found, value);
    // Attachment URLs point at Binary resources: the document bytes.
    else if (key === 'url' && inAttachment) addFetchableReference(walk.found, value);
    else if (typeof value === 'object' && value !== null) walkForReferences(walk, value, depth + 1, key === 'attachment' || key === 'presentedForm');
  }
}

function addFetchableReference(found: Map<string, ResourceRef>, value: unknown): void {
  const parsed = parseReference(value);
  if (!parsed || (parsed.kind !== 'relative' && parsed.kind !== 'absolute')) return;
  if (!FETCHABLE_REFERENCE_TYPES.has(parsed.resourceType)) return;
  const ref: ResourceRef =
    parsed.kind === 'absolute' ? { resourceType: parsed.resourceType, id: parsed.id, url: parsed.url } : { resourceType: parsed.resourceType, id: parsed.id };
  const key = ref.url ?? `${ref.resourceType}/${ref.id}`;
  if (!found.has(key)) found.set(key, ref);
}
