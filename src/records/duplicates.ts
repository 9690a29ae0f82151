// The same fact from two places appears once in the binder, and so does one clinical event told by
// several records (an exam's order, images and report; an operation and its note; a drug's orders).
//
// duplicateKeys gives each record a set of keys; two records that share any key are one binder item
// (union-find, transitively). Each key's prefix says why records sharing it are joined:
//   self:  the very same resource synced twice from one portal
//   att:, hash:  the same document bytes (by URL or content hash)
//   ident:  the same business identifier
//   fact:  the same kind of fact with the same code, date and value
//   event:  parts of one clinical event (eventKeys below: by reference, by shared order, or one
//           imaging exam's shared procedure code on one day)
//   med:  one current medicine: the same drug and strength
//   drug:  one cancer medicine: its orders and administrations, as the treatment summary groups them
// The keys are deliberately conservative: a missed join shows twice, a false one hides a fact.
// Keys are only ever compared within one patient's records (the binder index is per account).

import { createHash } from 'node:crypto';

import { extractBinderFields, medicationConcept, type BinderFields } from './binder-fields.js';
import { asObject, at, dayOf, objects, referenceKey, resourceTypeOf, text, typeInWords, utcMinute, type JsonObject } from './fhir-read.js';
import { conceptStrength, medicineIdentity, medicineStrength, normaliseIngredientName } from './medicine-names.js';
import { mergeSources, type PortalSource } from './stored-record.js';
import { UnionFind } from './union-find.js';

export interface DuplicateKeyOptions {
  /**
   * Hashes of the downloaded attachment bytes, each written with its algorithm ("sha256:…").
   * "sha1:<base64>" is the form that matches a portal's own Attachment.hash.
   */
  contentHashes?: readonly string[];
  /** The portals the record came from: relative URLs and resource ids are unique only within a portal. */
  portalIds?: readonly string[];
  /** The record's categories (classify): event and medicine keys join records filed in the same category only. */
  categories?: readonly string[];
}

export function duplicateKeys(resource: unknown, fields?: BinderFields, options: DuplicateKeyOptions = {}): string[] {
  const r = asObject(resource);
  if (!r) return [];
  const f = fields ?? extractBinderFields(r);
  const type = resourceTypeOf(r);
  const portalIds = (Array.isArray(options.portalIds) ? options.portalIds : []).filter((id): id is string => typeof id === 'string' && id !== '');
  const keys = new Set<string>();
  // The very same resource synced twice from one portal.
  const id = text(r.id);
  if (type && id) for (const portalId of portalIds) keys.add(`self:${portalId}:${type}/${id}`);
  for (const key of attachmentKeys(f, portalIds, options.contentHashes)) keys.add(key);
  for (const key of inlineContentKeys(r)) keys.add(key);
  if (type) {
    for (const key of identifierKeys(r, type)) keys.add(key);
    for (const key of factKeys(f, type)) keys.add(key);
    const categories = Array.isArray(options.categories) ? options.categories : [];
    if (categories.length > 0) {
      for (const key of eventKeys(r, f, type, portalIds, categories)) keys.add(key);
      for (const key of medicineKeys(r, f, type, categories)) keys.add(key);
    }
  }
  return [...keys];
}

// ---------------------------------------------------------------------------------------------
// (a) The same document: DiagnosticReport.presentedForm and DocumentReference.content that point at
// the same bytes, by URL or by hash.

function attachmentKeys(fields: BinderFields, portalIds: readonly string[], contentHashes: readonly string[] | undefined): string[] {
  const keys: string[] = [];
  for (const document of fields.documents) {
    if (document.url) {
      const absolute = normaliseAbsoluteUrl(document.url);
      if (absolute) keys.push(`att:${absolute}`);
      // "Binary/123" means different files at different portals.
      else if (!document.url.startsWith('data:')) for (const portalId of portalIds) keys.push(`att:${portalId}:${document.url}`);
    }
    if (document.hash) keys.push(`hash:sha1:${document.hash}`);
  }
  for (const hash of Array.isArray(contentHashes) ? contentHashes : []) {
    const clean = text(hash);
    if (clean) keys.push(`hash:${clean}`);
  }
  return keys;
}

/**
 * Attachments carried inline (attachment.data, as Synthea-style exports do) are hashed here, in the
 * form of Attachment.hash (base64 SHA-1 of the bytes), so an inline report matches a hashed one.
 */
function inlineContentKeys(r: JsonObject): string[] {
  if (r.content === undefined && r.presentedForm === undefined) return [];
  const attachments = [...objects(r.content).map((content) => asObject(content.attachment)), ...objects(r.presentedForm)];
  const keys: string[] = [];
  for (const attachment of attachments) {
    const data = typeof attachment?.data === 'string' ? attachment.data.replace(/\s+/g, '') : '';
    if (data === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) continue;
    keys.push(`hash:sha1:${createHash('sha1').update(Buffer.from(data, 'base64')).digest('base64')}`);
  }
  return keys;
}

function normaliseAbsoluteUrl(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// (b1) The same business identifier.

// Report and document are one family: a DiagnosticReport and a DocumentReference can carry the same accession.
const IDENTIFIER_FAMILY: Record<string, string> = { DiagnosticReport: 'report', DocumentReference: 'report' };

// Results, doses given and dispenses often carry their order's number, shared by every result of a panel
// or every dose of a course; their identifiers do not single out one fact.
const NO_IDENTIFIER_KEYS = new Set(['Observation', 'MedicationAdministration', 'MedicationDispense']);

// v2-0203 identifier types that name the patient, the visit or the order rather than this record.
const PATIENT_ID_TYPES = new Set(['MR', 'MRT', 'SS', 'SB', 'DL', 'PPN', 'PI', 'PT', 'PN', 'NH', 'MC', 'MA', 'JHN', 'BRN', 'NI']);
// A visit number names one encounter; an account (financial) number can cover a whole series of visits.
const VISIT_ID_TYPES = new Set(['VN', 'VI']);
const ACCOUNT_ID_TYPES = new Set(['AN', 'ANON']);
const ORDER_ID_TYPES = new Set(['PLAC', 'FILL', 'PGN']);
const ACCESSION_TYPES = new Set(['ACSN']);

// Code systems put where an identifier system belongs say nothing about which record this is.
const NOT_IDENTIFIER_SYSTEMS = [
  'http://terminology.hl7.org/',
  'http://hl7.org/fhir/sid/',
  'http://loinc.org',
  'http://snomed.info/',
  'http://www.nlm.nih.gov/research/umls/rxnorm',
  'http://unitsofmeasure.org',
];
const MEANINGLESS_VALUE = /^(unknown|null|none|undefined|n\/?a|-+|0+|\?+)$/i;

function identifierTypeCodes(identifier: JsonObject): string[] {
  return objects(at(identifier, 'type', 'coding'))
    .map((coding) => text(coding.code)?.toUpperCase() ?? null)
    .filter((code): code is string => code !== null);
}

function identifierAllowed(identifier: JsonObject, type: string, system: string, value: string): boolean {
  if (NOT_IDENTIFIER_SYSTEMS.some((prefix) => system.startsWith(prefix))) return false;
  // urn:ietf:rfc:3986 only means "the value is a URI"; it identifies something only when the value is a real one.
  if (system === 'urn:ietf:rfc:3986' && !/^(urn:(uuid|oid):|https?:\/\/)/i.test(value)) return false;
  if (MEANINGLESS_VALUE.test(value)) return false;
  for (const code of identifierTypeCodes(identifier)) {
    if (PATIENT_ID_TYPES.has(code) || ACCOUNT_ID_TYPES.has(code)) return false;
    if (VISIT_ID_TYPES.has(code) && type !== 'Encounter') return false;
    if (ORDER_ID_TYPES.has(code) && type !== 'ServiceRequest' && type !== 'MedicationRequest') return false;
    if (ACCESSION_TYPES.has(code) && !['DiagnosticReport', 'DocumentReference', 'ImagingStudy', 'ServiceRequest'].includes(type)) return false;
  }
  return true;
}

function identifierKeys(r: JsonObject, type: string): string[] {
  if (NO_IDENTIFIER_KEYS.has(type)) return [];
  const family = IDENTIFIER_FAMILY[type] ?? type;
  const keys: string[] = [];
  for (const identifier of objects(r.identifier)) {
    const system = text(identifier.system);
    const value = text(identifier.value);
    // Without a system a value is only unique inside one portal's numbering.
    if (!system || !value || !identifierAllowed(identifier, type, system, value)) continue;
    keys.push(`ident:${family}:${system}|${value}`);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// (b2) The same fact told twice: same kind of record, same code, same date, same value/dose.

interface FactRule {
  kind: string;
  /**
   * 'day' for facts that happen at most once a day (a diagnosis, a vaccine, an order);
   * 'instant' for events that repeat within a day (results, doses given, procedures): their
   * UTC minute when the record has a time, their day when it has only a date.
   */
  when: 'day' | 'instant';
  /** The value that must match as well; null means the record cannot be compared (no key). */
  detail: (fields: BinderFields, precise: boolean) => string | null;
}

const nothing = (): string => '';
const doseOrNone = (fields: BinderFields): string => doseKey(fields) ?? 'no-dose';

// Documents have no fact rule: two notes of one type on one day are common and different.
const FACT_RULES: Record<string, FactRule> = {
  Observation: { kind: 'result', when: 'instant', detail: (fields) => valueKey(fields) },
  DiagnosticReport: { kind: 'report', when: 'instant', detail: nothing },
  // Without a time, two doses of one drug on one day are the same fact only if the dose matches.
  MedicationAdministration: { kind: 'med-given', when: 'instant', detail: (fields, precise) => doseKey(fields) ?? (precise ? 'no-dose' : null) },
  MedicationRequest: { kind: 'med-order', when: 'day', detail: doseOrNone },
  MedicationStatement: { kind: 'med-statement', when: 'day', detail: doseOrNone },
  MedicationDispense: { kind: 'med-dispense', when: 'instant', detail: doseOrNone },
  Immunization: { kind: 'vaccine', when: 'day', detail: nothing },
  Condition: { kind: 'condition', when: 'day', detail: nothing },
  Procedure: { kind: 'procedure', when: 'instant', detail: nothing },
  AllergyIntolerance: { kind: 'allergy', when: 'day', detail: nothing },
  AdverseEvent: { kind: 'adverse-event', when: 'day', detail: nothing },
  Encounter: { kind: 'encounter', when: 'instant', detail: nothing },
  ImagingStudy: { kind: 'imaging', when: 'instant', detail: nothing },
};

function normaliseWords(value: string): string {
  return value.toLowerCase().replace(/\s+/g, ' ').trim();
}

function normaliseUnit(unit: string | undefined): string {
  return (unit ?? '').toLowerCase().replace(/\s+/g, '');
}

function valueKey(fields: BinderFields): string | null {
  const value = fields.value;
  if (!value) return null;
  const amount = typeof value.value === 'number' ? `${value.comparator ?? ''}${value.value}` : normaliseWords(value.value);
  return `${amount}${normaliseUnit(value.unit)}`;
}

function doseKey(fields: BinderFields): string | null {
  const amount = fields.dose?.amount;
  return amount === undefined ? null : `${amount}${normaliseUnit(fields.dose?.unit)}`;
}

function factKeys(fields: BinderFields, type: string): string[] {
  const rule = FACT_RULES[type];
  // Records with no date cannot be told apart from another occurrence of the same thing.
  if (!rule || !fields.date) return [];
  const instant = rule.when === 'instant' ? utcMinute(fields.date) : null;
  const when = instant ?? dayOf(fields.date);
  const detail = rule.detail(fields, instant !== null);
  if (detail === null) return [];
  const codes = fields.codes.filter((code) => code.system).map((code) => `${code.system ?? ''}|${code.code}`);
  // A record with no coded code can still match another by its name, but only one without codes either.
  if (codes.length === 0 && fields.title !== typeInWords(type)) codes.push(`text:${normaliseWords(fields.title)}`);
  return codes.map((code) => `fact:${rule.kind}:${code}:${when}:${detail}`);
}

// ---------------------------------------------------------------------------------------------
// (c) Parts of one clinical event: an imaging exam (order, procedure, images, report, report
// document), an operation and its operative note, a pathology report and its document.

const IMAGING = 'imaging-results';
// Only these categories hold events told by several records; elsewhere (results, notes, problems)
// records that refer to each other are different facts and stay separate items.
const EVENT_CATEGORIES: ReadonlySet<string> = new Set([IMAGING, 'operation-reports', 'pathology-reports']);
const EVENT_TYPES: ReadonlySet<string> = new Set(['ImagingStudy', 'DiagnosticReport', 'Procedure', 'DocumentReference']);

// Codes that name any imaging study rather than one kind of exam: sharing one proves nothing.
const GENERIC_EXAM_CODES: ReadonlySet<string> = new Set([
  'http://loinc.org|18748-4', // Diagnostic imaging study
  'http://loinc.org|18726-0', // Radiology studies (set)
  'http://loinc.org|18782-3', // Radiology Study observation (narrative)
  'http://loinc.org|19005-8', // Radiology Imaging study [Impression] (narrative)
  'http://loinc.org|11526-1', // Pathology study
]);

/** The resources this record says it is part of the same event with, as "Type/id" (same portal). */
function eventReferences(r: JsonObject, type: string): Array<string | null> {
  switch (type) {
    case 'DiagnosticReport':
      // The report of these images.
      return objects(r.imagingStudy).map((reference) => referenceKey(reference.reference));
    case 'Procedure':
      // The report of this procedure.
      return objects(r.report).map((reference) => referenceKey(reference.reference));
    case 'ImagingStudy':
      // The images this procedure made.
      return objects(r.procedureReference).map((reference) => referenceKey(reference.reference));
    case 'DocumentReference':
      // The note or report document of this procedure, study or report.
      return objects(at(r, 'context', 'related')).map((reference) => referenceKey(reference.reference));
    default:
      return [];
  }
}

/**
 * Keys that join the records of one clinical event, only between records filed in the same event
 * category (so a discharge summary that refers to the operation stays its own item):
 * - by reference: each record answers to `Type/id` at its portal, and names the records it refers to
 *   (DiagnosticReport.imagingStudy, Procedure.report, ImagingStudy.procedureReference,
 *   DocumentReference.context.related);
 * - by a shared order: the same basedOn at the same portal;
 * - unlinked imaging (as many portals serve them): the same procedure code on the same day, across
 *   portals. Two exams on one day with different codes never share a key; generic "any imaging" codes
 *   and documents (whose type says "a note", not which exam) take no part.
 */
function eventKeys(r: JsonObject, fields: BinderFields, type: string, portalIds: readonly string[], categories: readonly string[]): string[] {
  if (!EVENT_TYPES.has(type)) return [];
  const id = text(r.id);
  const keys: string[] = [];
  for (const category of categories) {
    if (!EVENT_CATEGORIES.has(category)) continue;
    for (const portalId of portalIds) {
      if (id) keys.push(`event:${category}:${portalId}:${type}/${id}`);
      for (const target of eventReferences(r, type)) if (target) keys.push(`event:${category}:${portalId}:${target}`);
      for (const order of objects(r.basedOn)) {
        const target = referenceKey(order.reference);
        if (target) keys.push(`event:${category}:${portalId}:order:${target}`);
      }
    }
    if (category === IMAGING && type !== 'DocumentReference' && fields.date) {
      const day = dayOf(fields.date);
      for (const code of fields.codes) {
        const coded = `${code.system ?? ''}|${code.code}`;
        if (code.system && day.length === 10 && !GENERIC_EXAM_CODES.has(coded)) keys.push(`event:${IMAGING}:code:${coded}:${day}`);
      }
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// (d) One line per medicine.

const CURRENT_MEDICINES = 'medicines-and-supplements';
const CANCER_MEDICINES = 'medication-treatment-summary';
const MEDICINE_TYPES: ReadonlySet<string> = new Set(['MedicationRequest', 'MedicationStatement', 'MedicationAdministration', 'MedicationDispense']);

/**
 * - Current medicines: the same drug and strength across portals and over time is one line
 *   ("lisinopril 10 mg tablet" and "lisinopril (ZESTRIL) 10 mg tablet"): the same RxNorm code, or
 *   the same normalised ingredient name with the same strength. Different strengths stay apart.
 * - Cancer medicines: every order and administration of one drug is one line, as in the treatment
 *   summary (the same RxNorm code or normalised ingredient name).
 */
function medicineKeys(r: JsonObject, fields: BinderFields, type: string, categories: readonly string[]): string[] {
  if (!MEDICINE_TYPES.has(type)) return [];
  const current = categories.includes(CURRENT_MEDICINES);
  const cancer = categories.includes(CANCER_MEDICINES);
  if (!current && !cancer) return [];
  const concept = medicationConcept(r) ?? { text: at(r, 'medicationReference', 'display') };
  const identity = medicineIdentity(concept);
  // Without a coded or written drug name (a contained Medication by ingredient only) the title names it.
  const keys = identity.keys.length > 0 ? identity.keys : [normaliseIngredientName(fields.title)].filter((name): name is string => name !== null).map((name) => `name:${name}`);
  const out: string[] = [];
  if (cancer) for (const key of keys) out.push(`drug:${key}`);
  if (current) {
    // Without a stated strength a record joins only others that state none either.
    const strength = conceptStrength(concept) ?? medicineStrength(fields.title) ?? '';
    for (const key of [...identity.rxnormCodes.map((code) => `rx:${code}`), ...keys.filter((candidate) => candidate.startsWith('name:'))]) {
      out.push(`med:${key}:${strength}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grouping

export interface DuplicateCandidate {
  /** carebinder's row id. */
  id: string;
  resource: unknown;
  sources: readonly PortalSource[];
  /** Hashes of the record's downloaded attachments, if the storage layer has them (see DuplicateKeyOptions). */
  contentHashes?: readonly string[];
  /** The record's categories: with them, the parts of one clinical event and one medicine's records are joined too. */
  categories?: readonly string[];
  /** Whose record it is: records of different accounts (patients) are never joined, whatever their keys. */
  accountId?: string;
}

export interface DuplicateGroup {
  /** The richest record of the group, the one the binder shows. */
  primaryId: string;
  /** Every record of the group, the primary included, in input order. */
  memberIds: string[];
  sources: PortalSource[];
}

/**
 * Groups records that share any duplicate key (transitively). Every record lands in exactly one group.
 * The binder's index does the same over the keys stored with each row (binder-index.ts).
 */
export function groupDuplicates(records: readonly DuplicateCandidate[]): DuplicateGroup[] {
  const list = (Array.isArray(records) ? (records as readonly unknown[]) : []).filter(
    (record): record is DuplicateCandidate => asObject(record) !== null && (typeof asObject(record)?.id === 'string' || typeof asObject(record)?.id === 'number'),
  );
  const keysOf = list.map((record) => {
    const keys = duplicateKeys(record.resource, undefined, {
      portalIds: mergeSources([record.sources]).map((source) => source.portalId),
      ...(record.contentHashes ? { contentHashes: record.contentHashes } : {}),
      ...(Array.isArray(record.categories) ? { categories: record.categories } : {}),
    });
    // Keys are compared within one patient only.
    const account = typeof record.accountId === 'string' ? record.accountId : '';
    return account === '' ? keys : keys.map((key) => `${account}\u0000${key}`);
  });
  const sets = new UnionFind(list.length);
  sets.unionByKeys(keysOf);
  return sets.groups().map((indexes) => {
    const members = indexes.map((index) => list[index]).filter((record): record is DuplicateCandidate => record !== undefined);
    const scores = members.map((member) => richness(member.resource));
    let primaryIndex = 0;
    scores.forEach((score, index) => {
      if (score > (scores[primaryIndex] ?? 0)) primaryIndex = index;
    });
    const primary = members[primaryIndex] ?? members[0];
    return {
      primaryId: String(primary?.id),
      memberIds: members.map((member) => String(member.id)),
      sources: mergeSources(members.map((member) => member.sources)),
    };
  });
}

/**
 * Which record of a group the binder shows, by type (lower first): a DiagnosticReport is the structured
 * form of a report (its status and conclusion) and its DocumentReference only the file; an operation's
 * Procedure is the event and its note the document. The binder index uses the same order.
 */
const TYPE_RANK: Record<string, number> = { DiagnosticReport: 0, Observation: 1, Procedure: 1, DocumentReference: 3, Composition: 3 };

export function typeRank(resourceType: string | null): number {
  return TYPE_RANK[resourceType ?? ''] ?? 2;
}

/** Type first, then how many values the record carries; ties keep the earlier record. */
function richness(resource: unknown): number {
  return (4 - typeRank(resourceTypeOf(resource))) * 1_000_000 + countValues(resource);
}

function countValues(node: unknown, depth = 0): number {
  if (depth > 24 || node === null || node === undefined || node === '') return 0;
  if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + countValues(item, depth + 1), 0);
  if (typeof node === 'object') return Object.values(node).reduce((sum: number, value) => sum + countValues(value, depth + 1), 0);
  return 1;
}
