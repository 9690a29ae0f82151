// The same fact from two places appears once in the binder.
//
// duplicateKeys gives each record a set of keys; two records that share any key are the same fact.
// The keys are deliberately conservative: a missed duplicate shows twice, a false one hides a fact.

import { createHash } from 'node:crypto';

import { extractBinderFields, type BinderFields } from './binder-fields.js';
import { asObject, at, dayOf, objects, resourceTypeOf, text, typeInWords, utcMinute, type JsonObject } from './fhir-read.js';
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
// Grouping

export interface DuplicateCandidate {
  /** carebinder's row id. */
  id: string;
  resource: unknown;
  sources: readonly PortalSource[];
  /** Hashes of the record's downloaded attachments, if the storage layer has them (see DuplicateKeyOptions). */
  contentHashes?: readonly string[];
}

export interface DuplicateGroup {
  /** The richest record of the group, the one the binder shows. */
  primaryId: string;
  /** Every record of the group, the primary included, in input order. */
  memberIds: string[];
  sources: PortalSource[];
}

/** Groups records that share any duplicate key (transitively). Every record lands in exactly one group. */
export function groupDuplicates(records: readonly DuplicateCandidate[]): DuplicateGroup[] {
  const list = (Array.isArray(records) ? (records as readonly unknown[]) : []).filter(
    (record): record is DuplicateCandidate => asObject(record) !== null && (typeof asObject(record)?.id === 'string' || typeof asObject(record)?.id === 'number'),
  );
  const keysOf = list.map((record) =>
    duplicateKeys(record.resource, undefined, {
      portalIds: mergeSources([record.sources]).map((source) => source.portalId),
      ...(record.contentHashes ? { contentHashes: record.contentHashes } : {}),
    }),
  );
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

// A DiagnosticReport is the structured form of a report; its DocumentReference is only the file.
const TYPE_RICHNESS: Record<string, number> = { DiagnosticReport: 2, DocumentReference: 1 };

/** Type first, then how many values the record carries; ties keep the earlier record. */
function richness(resource: unknown): number {
  const type = resourceTypeOf(resource);
  return (TYPE_RICHNESS[type ?? ''] ?? 0) * 1_000_000 + countValues(resource);
}

function countValues(node: unknown, depth = 0): number {
  if (depth > 24 || node === null || node === undefined || node === '') return 0;
  if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + countValues(item, depth + 1), 0);
  if (typeof node === 'object') return Object.values(node).reduce((sum: number, value) => sum + countValues(value, depth + 1), 0);
  return 1;
}
