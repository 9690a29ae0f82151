// blue-button's JSON of a C-CDA's structured sections as FHIR R4 resources: problems →
// Condition, medications → MedicationStatement, immunizations → Immunization, results →
// DiagnosticReport + Observation, vitals → Observation, procedures → Procedure, allergies →
// AllergyIntolerance, encounters → Encounter. Each section, and each entry, is converted on its
// own: one that cannot be read is reported and skipped, never the document. Pure.
import { createHash } from 'node:crypto';
import { fhirDateOfPoint } from './dates.js';
import { systemUriOfName } from './code-systems.js';

export type Resource = { resourceType: string; id: string; [key: string]: unknown };
type Json = Record<string, unknown>;

export interface SectionResult {
  resources: Resource[];
  warnings: string[];
}

const SUBJECT = { reference: 'Patient/patient' };

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}
function arr(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  const out: Json[] = [];
  for (const item of value as unknown[]) {
    const o = obj(item);
    if (o) out.push(o);
  }
  return out;
}
function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : null;
}
function num(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** A blue-button concept ({name, code, code_system_name, translations}) as a CodeableConcept. */
export function concept(value: unknown): Json | null {
  const c = obj(value);
  if (!c) return null;
  const codings: Json[] = [];
  const push = (x: Json) => {
    const code = str(x.code);
    if (!code || str(x.code_system_name) === 'Null Flavor') return;
    const system = systemUriOfName(str(x.code_system_name));
    codings.push({ ...(system ? { system } : {}), code, ...(str(x.name) ? { display: str(x.name) } : {}) });
  };
  push(c);
  for (const translation of arr(c.translations)) push(translation);
  const text = str(c.name) && str(c.code_system_name) !== 'Null Flavor' ? str(c.name) : null;
  if (codings.length === 0 && !text) return null;
  return { ...(codings.length ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

function identifiers(value: unknown): Json[] {
  return arr(value).flatMap((id) => {
    const root = str(id.identifier);
    if (!root) return [];
    const extension = str(id.extension);
    if (extension) return [{ system: /^[0-2](\.\d+)+$/.test(root) ? `urn:oid:${root}` : root, value: extension }];
    const uri = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(root) ? `urn:uuid:${root.toLowerCase()}` : `urn:oid:${root}`;
    return [{ system: 'urn:ietf:rfc:3986', value: uri }];
  });
}

/** A stable id for an entry within its document: from its C-CDA ids, else from its content. */
function idFor(prefix: string, entry: Json, index: number): string {
  const ids = arr(entry.identifiers).map((id) => `${str(id.identifier) ?? ''}^${str(id.extension) ?? ''}`);
  const basis = ids.length ? ids.join('|') : `${index}:${JSON.stringify(entry)}`;
  return `${prefix}-${createHash('sha256').update(basis).digest('hex').slice(0, 20)}`;
}

interface Times {
  point: string | null;
  low: string | null;
  high: string | null;
}
function times(value: unknown): Times {
  const t = obj(value) ?? {};
  return {
    point: fhirDateOfPoint(obj(t.point)),
    low: fhirDateOfPoint(obj(t.low)),
    high: fhirDateOfPoint(obj(t.high)),
  };
}
const start = (t: Times) => t.point ?? t.low;

function quantity(value: unknown, unit: unknown): Json | null {
  const v = num(value);
  if (v === null) return null;
  const u = str(unit);
  return { value: v, ...(u ? { unit: u, system: 'http://unitsofmeasure.org', code: u } : {}) };
}

// ---------------------------------------------------------------------------------------------

function problems(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const problem = obj(entry.problem) ?? {};
    const code = concept(problem.code);
    if (!code) return [];
    const t = times(problem.date_time ?? entry.date_time);
    const statusName = (str(obj(entry.status)?.name) ?? str(entry.status) ?? '').toLowerCase();
    const resolved = /resolved|inactive|completed/.test(statusName) || (t.high !== null && !/active/.test(statusName));
    const negated = problem.negation_indicator === true || entry.negation_indicator === true;
    return [
      {
        resourceType: 'Condition',
        id: idFor('condition', entry, index),
        identifier: identifiers(entry.identifiers),
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: resolved ? 'resolved' : 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: negated ? 'refuted' : 'confirmed' }] },
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
        code,
        subject: SUBJECT,
        ...(start(t) ? { onsetDateTime: start(t) } : {}),
        ...(t.high ? { abatementDateTime: t.high } : {}),
      },
    ];
  });
}

const PERIOD_UNITS: Record<string, string> = { s: 's', min: 'min', h: 'h', hr: 'h', d: 'd', wk: 'wk', mo: 'mo', a: 'a' };

function medications(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const product = obj(obj(entry.product)?.product);
    const medication = concept(product) ?? (str(obj(entry.product)?.unencoded_name) ? { text: str(obj(entry.product)?.unencoded_name) } : null);
    if (!medication) return [];
    const t = times(entry.date_time);
    const administration = obj(entry.administration) ?? {};
    const dose = obj(administration.dose);
    const period = obj(obj(administration.interval)?.period);
    const periodValue = num(period?.value);
    const periodUnit = PERIOD_UNITS[str(period?.unit) ?? ''];
    const route = concept(administration.route);
    const sig = str(entry.sig);
    const dosage: Json = {
      ...(sig ? { text: sig } : {}),
      ...(periodValue !== null && periodUnit ? { timing: { repeat: { frequency: 1, period: periodValue, periodUnit } } } : {}),
      ...(route ? { route } : {}),
      ...(dose && quantity(dose.value, dose.unit) ? { doseAndRate: [{ doseQuantity: quantity(dose.value, dose.unit) }] } : {}),
    };
    // blue-button reports the entry's mood ("Completed" for a record of use), not its statusCode:
    // a medication with an end date in the past is completed, one without is taken now.
    const ended = t.high !== null && t.high.slice(0, 10) < new Date().toISOString().slice(0, 10);
    const status = ended ? 'completed' : /prescribed/i.test(str(entry.status) ?? '') ? 'intended' : 'active';
    return [
      {
        resourceType: 'MedicationStatement',
        id: idFor('medication', entry, index),
        identifier: identifiers(entry.identifiers),
        status,
        medicationCodeableConcept: medication,
        subject: SUBJECT,
        ...(t.low || t.high ? { effectivePeriod: { ...(t.low ? { start: t.low } : {}), ...(t.high ? { end: t.high } : {}) } } : t.point ? { effectiveDateTime: t.point } : {}),
        ...(Object.keys(dosage).length ? { dosage: [dosage] } : {}),
      },
    ];
  });
}

function immunizations(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const vaccine = concept(obj(obj(entry.product)?.product));
    if (!vaccine) return [];
    const t = times(entry.date_time);
    const refused = /refused/i.test(str(entry.status) ?? '') || entry.negation_indicator === true;
    const lot = str(obj(entry.product)?.lot_number);
    const route = concept(obj(entry.administration)?.route);
    return [
      {
        resourceType: 'Immunization',
        id: idFor('immunization', entry, index),
        identifier: identifiers(entry.identifiers),
        status: refused ? 'not-done' : 'completed',
        vaccineCode: vaccine,
        patient: SUBJECT,
        occurrenceDateTime: start(t) ?? undefined,
        ...(start(t) ? {} : { occurrenceString: 'unknown' }),
        ...(lot ? { lotNumber: lot } : {}),
        ...(route ? { route } : {}),
      },
    ].map(dropUndefined);
  });
}

function observation(entry: Json, index: number, prefix: string, category: { code: string; display: string }, codeField: string): Resource | null {
  const code = concept(entry[codeField]);
  if (!code) return null;
  const t = times(entry.date_time);
  const value = quantity(entry.value, entry.unit);
  const text = value ? null : str(entry.text) ?? str(entry.value);
  const range = obj(entry.reference_range);
  const low = range ? quantity(range.low, range.unit) : null;
  const high = range ? quantity(range.high, range.unit) : null;
  const rangeText = range ? str(range.range) : null;
  const interpretation = arr(entry.interpretations).flatMap((i) => {
    const c = str(i.code);
    return c ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: c, ...(str(i.name) ? { display: str(i.name) } : {}) }] }] : [];
  });
  return {
    resourceType: 'Observation',
    id: idFor(prefix, entry, index),
    identifier: identifiers(entry.identifiers),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', ...category }] }],
    code,
    subject: SUBJECT,
    ...(start(t) ? { effectiveDateTime: start(t) } : {}),
    ...(value ? { valueQuantity: value } : text ? { valueString: text } : {}),
    ...(interpretation.length ? { interpretation } : {}),
    ...(low || high || rangeText ? { referenceRange: [{ ...(low ? { low } : {}), ...(high ? { high } : {}), ...(rangeText ? { text: rangeText } : {}) }] } : {}),
  };
}

function results(entries: Json[]): Resource[] {
  return entries.flatMap((panel, panelIndex) => {
    const observations = arr(panel.results).flatMap((entry, index) => observation(entry, index, 'result', { code: 'laboratory', display: 'Laboratory' }, 'result') ?? []);
    const code = concept(panel.result_set);
    if (!code || observations.length === 0) return observations;
    const dates = observations.map((o) => o.effectiveDateTime).filter((d): d is string => typeof d === 'string').sort();
    const report: Resource = {
      resourceType: 'DiagnosticReport',
      id: idFor('report', panel, panelIndex),
      identifier: identifiers(panel.identifiers),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
      code,
      subject: SUBJECT,
      ...(dates[0] ? { effectiveDateTime: dates[0] } : {}),
      result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
    };
    return [report, ...observations];
  });
}

function vitals(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => observation(entry, index, 'vital', { code: 'vital-signs', display: 'Vital Signs' }, 'vital') ?? []);
}

function procedures(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const code = concept(entry.procedure);
    if (!code) return [];
    const t = times(entry.date_time);
    const status = (str(entry.status) ?? 'completed').toLowerCase();
    const site = arr(entry.body_sites).flatMap((s) => concept(s) ?? []);
    return [
      {
        resourceType: 'Procedure',
        id: idFor('procedure', entry, index),
        identifier: identifiers(entry.identifiers),
        status: /active|new|held/.test(status) ? 'in-progress' : /cancel|abort/.test(status) ? 'stopped' : 'completed',
        code,
        subject: SUBJECT,
        ...(t.low || t.high ? { performedPeriod: { ...(t.low ? { start: t.low } : {}), ...(t.high ? { end: t.high } : {}) } } : t.point ? { performedDateTime: t.point } : {}),
        ...(site.length ? { bodySite: site } : {}),
      },
    ];
  });
}

function allergies(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const observation = obj(entry.observation) ?? {};
    // "No known allergies" is an allergy observation with negation: it states an absence, not an allergy.
    if (observation.negation_indicator === true) return [];
    const code = concept(observation.allergen) ?? concept(observation.intolerance);
    if (!code) return [];
    const t = times(observation.date_time ?? entry.date_time);
    const statusName = (str(obj(observation.status)?.name) ?? '').toLowerCase();
    const reactions = arr(observation.reactions).flatMap((reaction) => {
      const manifestation = concept(reaction.reaction);
      const severity = (str(obj(obj(reaction.severity)?.code)?.name) ?? '').toLowerCase();
      return manifestation ? [{ manifestation: [manifestation], ...(/mild|moderate|severe/.test(severity) ? { severity: severity.match(/mild|moderate|severe/)![0] } : {}) }] : [];
    });
    return [
      {
        resourceType: 'AllergyIntolerance',
        id: idFor('allergy', entry, index),
        identifier: identifiers(entry.identifiers),
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: /inactive|resolved/.test(statusName) ? 'inactive' : 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
        code,
        patient: SUBJECT,
        ...(start(t) ? { onsetDateTime: start(t) } : {}),
        ...(reactions.length ? { reaction: reactions } : {}),
      },
    ];
  });
}

function encounters(entries: Json[]): Resource[] {
  return entries.flatMap((entry, index) => {
    const type = concept(entry.encounter);
    const t = times(entry.date_time);
    if (!type && !start(t)) return [];
    const location = arr(entry.locations).flatMap((l) => str(l.name) ?? []);
    return [
      {
        resourceType: 'Encounter',
        id: idFor('encounter', entry, index),
        identifier: identifiers(entry.identifiers),
        status: 'finished',
        // C-CDA encounters carry a CPT or SNOMED visit type, not the FHIR class: said to be unknown.
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK', display: 'unknown' },
        ...(type ? { type: [type] } : {}),
        subject: SUBJECT,
        ...(start(t) || t.high ? { period: { ...(start(t) ? { start: start(t) } : {}), ...(t.high ? { end: t.high } : {}) } } : {}),
        ...(location.length ? { location: location.map((name) => ({ location: { display: name } })) } : {}),
      },
    ];
  });
}

const SECTIONS: ReadonlyArray<[string, string, (entries: Json[]) => Resource[]]> = [
  ['problems', 'problems', problems],
  ['medications', 'medications', medications],
  ['hospital_discharge_medications', 'discharge medications', medications],
  ['immunizations', 'immunizations', immunizations],
  ['results', 'results', results],
  ['vitals', 'vital signs', vitals],
  ['procedures', 'procedures', procedures],
  ['allergies', 'allergies', allergies],
  ['encounters', 'encounters', encounters],
];

/** The resources of every section blue-button read; a section that fails is named in a warning. */
export function sectionsToFhir(data: unknown): SectionResult {
  const sections = obj(data) ?? {};
  const resources: Resource[] = [];
  const warnings: string[] = [];
  for (const [key, words, convert] of SECTIONS) {
    const entries = sections[key];
    if (!Array.isArray(entries) || entries.length === 0) continue;
    try {
      resources.push(...convert(arr(entries)).map(withoutEmptyIdentifiers));
    } catch {
      warnings.push(`The ${words} section could not be converted; the rest of the document was kept.`);
    }
  }
  return { resources, warnings };
}

function withoutEmptyIdentifiers(resource: Resource): Resource {
  if (Array.isArray(resource.identifier) && resource.identifier.length === 0) {
    const { identifier: _identifier, ...rest } = resource;
    return rest;
  }
  return resource;
}

function dropUndefined<T extends Json>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
