// The International Patient Summary (HL7 FHIR IPS implementation guide): a FHIR document Bundle with
// the Composition first (LOINC 60591-5), one Patient merged from the portals' Patients, a Device
// naming carebinder as the author, and a section per IPS section the binder can fill. Each section
// has generated, escaped XHTML narrative and entries that resolve inside the Bundle; an empty one
// says why (emptyReason). Entries are the binder's records, de-duplicated the way the binder shows
// them (one record per duplicate group; results and medicines once per test or medicine, latest).
//
// Inside the copied resources, a reference to the patient points at the merged Patient, a reference
// to another record in the Bundle (or to a Medication, Practitioner, Organization or Location
// carebinder stored, which is then added) points at its entry, and any other relative reference
// becomes the absolute URL it has at its portal.
import { randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { Queryable } from '../db/pool.js';
import { binderIndex } from '../binder/binder-index.js';
import type { AccountSources } from '../binder/sources.js';
import type { MedicineDose, ResultValue } from '../records/binder-fields.js';
import { doseWords, valueWords } from './display.js';
import { stableUuid } from './documents.js';
import { mergePatients, patientName, portalPatients } from './patient.js';

export interface IpsOptions {
  now?: Date;
}

type Json = Record<string, unknown>;

export interface SectionDefinition {
  key: SectionKey;
  title: string;
  code: string;
  display: string;
  required: boolean;
  columns: string[];
}

export type SectionKey = 'problems' | 'medications' | 'allergies' | 'immunizations' | 'results' | 'procedures' | 'devices' | 'vitals' | 'pastIllness' | 'planOfCare' | 'socialHistory';

export const IPS_SECTIONS: readonly SectionDefinition[] = [
  { key: 'problems', title: 'Problem list', code: '11450-4', display: 'Problem list - Reported', required: true, columns: ['Problem', 'Status', 'Since'] },
  { key: 'medications', title: 'Medication summary', code: '10160-0', display: 'History of Medication use Narrative', required: true, columns: ['Medicine', 'Dose', 'Status', 'Date'] },
  { key: 'allergies', title: 'Allergies and intolerances', code: '48765-2', display: 'Allergies and adverse reactions Document', required: true, columns: ['Substance', 'Status', 'Recorded'] },
  { key: 'immunizations', title: 'Immunizations', code: '11369-6', display: 'History of Immunization Narrative', required: false, columns: ['Vaccine', 'Status', 'Date'] },
  { key: 'results', title: 'Results', code: '30954-2', display: 'Relevant diagnostic tests/laboratory data Narrative', required: false, columns: ['Test', 'Result', 'Date'] },
  { key: 'procedures', title: 'History of procedures', code: '47519-4', display: 'History of Procedures Document', required: false, columns: ['Procedure', 'Status', 'Date'] },
  { key: 'devices', title: 'Medical devices', code: '46264-8', display: 'History of medical device use', required: false, columns: ['Device', 'Status', 'Date'] },
  { key: 'vitals', title: 'Vital signs', code: '8716-3', display: 'Vital signs', required: false, columns: ['Measurement', 'Value', 'Date'] },
  { key: 'pastIllness', title: 'History of past illness', code: '11348-0', display: 'History of Past illness Narrative', required: false, columns: ['Problem', 'Status', 'Dates'] },
  { key: 'planOfCare', title: 'Plan of care', code: '18776-5', display: 'Plan of care note', required: false, columns: ['Plan', 'Status', 'Period'] },
  { key: 'socialHistory', title: 'Social history', code: '29762-2', display: 'Social history Narrative', required: false, columns: ['Observation', 'Value', 'Date'] },
];

const SECTION_TYPES = [
  'Condition',
  'MedicationRequest',
  'MedicationStatement',
  'AllergyIntolerance',
  'Immunization',
  'Observation',
  'DiagnosticReport',
  'Procedure',
  'CarePlan',
  'DeviceUseStatement',
  'Device',
];
const SUPPORTING_TYPES = new Set(['Medication', 'Practitioner', 'PractitionerRole', 'Organization', 'Location']);
const INACTIVE_CONDITION = new Set(['inactive', 'remission', 'resolved']);
const ERROR_STATUSES = new Set(['entered-in-error', 'refuted']);
const NOT_DONE = new Set(['not-done', 'cancelled', 'revoked', 'stopped-in-error']);

/** A record as the IPS chooses and shows it. */
export interface IpsCandidate {
  id: string;
  linkId: string;
  resourceType: string;
  resourceId: string;
  title: string;
  date: string | null;
  endDate: string | null;
  effectiveMs: number | null;
  status: string | null;
  clinicalStatus: string | null;
  verificationStatus: string | null;
  observationCategory: string | null;
  firstCode: string | null;
  value: ResultValue | null;
  dose: MedicineDose | null;
  /** The binder's duplicate group (the id of the record it shows). */
  group: string;
  /** Every link the group's records came from. */
  groupLinkIds: string[];
}

/** Pure: which section a candidate belongs to, or null for none. */
export function sectionOf(candidate: IpsCandidate): SectionKey | null {
  const status = candidate.status?.toLowerCase() ?? null;
  if (status && ERROR_STATUSES.has(status)) return null;
  if (candidate.verificationStatus && ERROR_STATUSES.has(candidate.verificationStatus)) return null;
  switch (candidate.resourceType) {
    case 'Condition':
      return candidate.clinicalStatus && INACTIVE_CONDITION.has(candidate.clinicalStatus) ? 'pastIllness' : 'problems';
    case 'MedicationRequest':
    case 'MedicationStatement':
      return status && NOT_DONE.has(status) ? null : 'medications';
    case 'AllergyIntolerance':
      return 'allergies';
    case 'Immunization':
      return status === 'not-done' ? null : 'immunizations';
    case 'Procedure':
      return status && NOT_DONE.has(status) ? null : 'procedures';
    case 'CarePlan':
      return status === 'active' || status === 'on-hold' || status === 'draft' ? 'planOfCare' : null;
    case 'Device':
    case 'DeviceUseStatement':
      return 'devices';
    case 'DiagnosticReport':
      return status === 'cancelled' ? null : 'results';
    case 'Observation':
      if (status === 'cancelled') return null;
      if (candidate.observationCategory === 'vital-signs') return 'vitals';
      if (candidate.observationCategory === 'social-history') return 'socialHistory';
      return 'results';
    default:
      return null;
  }
}

/**
 * Pure: the candidates of each section, one per duplicate group; results, vital signs and medicines
 * once per test or medicine (the latest), problems and the rest newest first.
 */
export function chooseEntries(candidates: readonly IpsCandidate[]): Map<SectionKey, IpsCandidate[]> {
  const sections = new Map<SectionKey, IpsCandidate[]>(IPS_SECTIONS.map((s) => [s.key, []]));
  const groups = new Set<string>();
  const latestFirst = [...candidates].sort((a, b) => (b.effectiveMs ?? -Infinity) - (a.effectiveMs ?? -Infinity) || Number(b.id) - Number(a.id));
  const onceBy = new Map<string, Set<string>>();
  for (const candidate of latestFirst) {
    const section = sectionOf(candidate);
    if (!section || groups.has(candidate.group)) continue;
    const once = section === 'results' || section === 'vitals' || section === 'socialHistory' ? (candidate.firstCode ?? candidate.title.toLowerCase()) : section === 'medications' ? candidate.title.toLowerCase() : null;
    if (once !== null) {
      const seen = onceBy.get(section) ?? new Set<string>();
      onceBy.set(section, seen);
      if (seen.has(once)) continue;
      seen.add(once);
    }
    groups.add(candidate.group);
    sections.get(section)!.push(candidate);
  }
  return sections;
}

interface CandidateRow {
  id: string;
  link_id: string;
  resource_type: string;
  resource_id: string;
  title: string;
  date_text: string | null;
  end_date_text: string | null;
  effective_ms: number | null;
  status: string | null;
  clinical: string | null;
  verification: string | null;
  obs_category: string | null;
  first_code: string | null;
  value: ResultValue | null;
  dose: MedicineDose | null;
}

/** The IPS document Bundle of this account's binder. */
export async function buildIps(db: Queryable, accountId: string, options: IpsOptions = {}): Promise<Json> {
  const now = options.now ?? new Date();
  const { rows: account } = await db.query<{ binder_version: string }>('SELECT binder_version::text FROM accounts WHERE id = $1', [accountId]);
  const index = await binderIndex(db, accountId, account[0]?.binder_version ?? '0');
  const sources = index.sources;
  const { rows } = await db.query<CandidateRow>(
    `SELECT id::text, link_id, resource_type, resource_id, title, date_text, end_date_text,
            (extract(epoch FROM effective_at) * 1000)::float8 AS effective_ms, status,
            resource #>> '{clinicalStatus,coding,0,code}' AS clinical,
            resource #>> '{verificationStatus,coding,0,code}' AS verification,
            CASE WHEN resource_type = 'Observation' THEN (SELECT c->'coding'->0->>'code' FROM jsonb_array_elements(
              CASE WHEN jsonb_typeof(resource->'category') = 'array' THEN resource->'category' ELSE '[]'::jsonb END) c
              WHERE c->'coding'->0->>'code' IN ('vital-signs', 'social-history', 'laboratory') LIMIT 1) END AS obs_category,
            codes[1] AS first_code, binder->'value' AS value, binder->'dose' AS dose
       FROM records WHERE account_id = $1 AND resource_type = ANY($2::text[]) AND removed_at_source IS NULL`,
    [accountId, SECTION_TYPES],
  );
  const candidates: IpsCandidate[] = rows.map((row) => ({
    id: row.id,
    linkId: row.link_id,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    title: row.title,
    date: row.date_text,
    endDate: row.end_date_text,
    effectiveMs: row.effective_ms,
    status: row.status,
    clinicalStatus: row.clinical,
    verificationStatus: row.verification,
    observationCategory: row.obs_category,
    firstCode: row.first_code,
    value: row.value,
    dose: row.dose,
    group: index.byMember.get(row.id)?.id ?? row.id,
    groupLinkIds: index.byMember.get(row.id)?.linkIds ?? [row.link_id],
  }));
  const chosen = chooseEntries(candidates);
  const chosenIds = [...chosen.values()].flat().map((c) => c.id);
  const { rows: resources } = await db.query<{ id: string; resource: Json }>('SELECT id::text, resource FROM records WHERE account_id = $1 AND id = ANY($2::bigint[])', [
    accountId,
    chosenIds,
  ]);
  const resourceById = new Map(resources.map((r) => [r.id, r.resource]));
  const patients = await portalPatients(db, accountId, sources);
  const supporting = await supportingRecords(db, accountId, [...chosen.values()].flat(), resourceById);
  return assembleIps({ accountId, now, sources, chosen, resourceById, patients, supporting, patientIds: await portalPatientIds(db, accountId) });
}

/** "<linkId> <portal patient id>" for each link. */
async function portalPatientIds(db: Queryable, accountId: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; portal_patient_id: string }>('SELECT id, portal_patient_id FROM links WHERE account_id = $1', [accountId]);
  return new Map(rows.map((r) => [r.id, r.portal_patient_id]));
}

interface SupportingRecord {
  id: string;
  linkId: string;
  resourceType: string;
  resourceId: string;
  resource: Json;
}

/** The stored Medications, Practitioners, Organizations and Locations the chosen resources name. */
async function supportingRecords(db: Queryable, accountId: string, chosen: readonly IpsCandidate[], resourceById: Map<string, Json>): Promise<SupportingRecord[]> {
  const wanted = new Set<string>();
  for (const candidate of chosen) {
    walkReferences(resourceById.get(candidate.id), (reference) => {
      const match = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
      if (match && SUPPORTING_TYPES.has(match[1])) wanted.add(`${candidate.linkId} ${match[1]} ${match[2]}`);
    });
  }
  if (wanted.size === 0) return [];
  const keys = [...wanted].map((k) => k.split(' '));
  const { rows } = await db.query<{ id: string; link_id: string; resource_type: string; resource_id: string; resource: Json }>(
    `SELECT r.id::text, r.link_id, r.resource_type, r.resource_id, r.resource FROM records r
       JOIN unnest($2::uuid[], $3::text[], $4::text[]) AS w(link_id, type, rid) ON r.link_id = w.link_id AND r.resource_type = w.type AND r.resource_id = w.rid
      WHERE r.account_id = $1`,
    [accountId, keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
  );
  return rows.map((r) => ({ id: r.id, linkId: r.link_id, resourceType: r.resource_type, resourceId: r.resource_id, resource: r.resource }));
}

function walkReferences(value: unknown, visit: (reference: string, holder: Json) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walkReferences(item, visit);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Json;
  if (typeof object.reference === 'string') visit(object.reference, object);
  for (const [key, child] of Object.entries(object)) if (key !== 'contained' && typeof child === 'object') walkReferences(child, visit);
}

export interface IpsInput {
  accountId: string;
  now: Date;
  sources: AccountSources;
  chosen: Map<SectionKey, IpsCandidate[]>;
  resourceById: Map<string, Json>;
  patients: Awaited<ReturnType<typeof portalPatients>>;
  supporting: SupportingRecord[];
  /** linkId → the portal's id for the patient. */
  patientIds: Map<string, string>;
}

/** Pure: the document Bundle from what was chosen. */
export function assembleIps(input: IpsInput): Json {
  const { accountId, now, sources } = input;
  const urnFor = (recordId: string) => stableUuid(`ips ${accountId} record ${recordId}`);
  const patientUrn = stableUuid(`ips ${accountId} patient`);
  const deviceUrn = stableUuid(`ips carebinder device`);
  const compositionUrn = randomUrn();
  // "<linkId> Type/id" → urn, for every resource in the Bundle.
  const inBundle = new Map<string, string>();
  for (const list of input.chosen.values()) for (const c of list) inBundle.set(`${c.linkId} ${c.resourceType}/${c.resourceId}`, urnFor(c.id));
  for (const s of input.supporting) inBundle.set(`${s.linkId} ${s.resourceType}/${s.resourceId}`, urnFor(s.id));

  const localise = (resource: Json, linkId: string, urn: string): Json => {
    const copy = structuredClone(resource);
    const base = sources.byLink.get(linkId)?.fhirBaseUrl?.replace(/\/+$/, '');
    const portalPatientId = input.patientIds.get(linkId);
    walkReferences(copy, (reference, holder) => {
      if (reference.startsWith('#') || reference.startsWith('urn:')) return;
      const relative = base && reference.startsWith(`${base}/`) ? reference.slice(base.length + 1) : reference;
      if (portalPatientId && relative === `Patient/${portalPatientId}`) holder.reference = patientUrn;
      else if (inBundle.has(`${linkId} ${relative}`)) holder.reference = inBundle.get(`${linkId} ${relative}`);
      else if (base && /^[A-Za-z]+\/[^/]+$/.test(relative)) holder.reference = `${base}/${relative}`;
    });
    copy.id = urn.slice('urn:uuid:'.length);
    delete copy.meta;
    const source = sources.byLink.get(linkId);
    if (source && base) {
      copy.meta = { source: `${base}/${String(resource.resourceType)}/${String(resource.id)}` };
    }
    return copy;
  };

  const patient = { ...mergePatients(input.patients), id: patientUrn.slice('urn:uuid:'.length) } as Json;
  const name = patientName(patient as never);
  patient.text = narrative(`<p>${escapeHtml(name ?? 'Patient')}${typeof patient.birthDate === 'string' ? `, born ${escapeHtml(patient.birthDate)}` : ''}</p>`);
  const device: Json = {
    resourceType: 'Device',
    id: deviceUrn.slice('urn:uuid:'.length),
    deviceName: [{ name: 'carebinder', type: 'manufacturer-name' }],
    type: { text: 'Software that gathered these records from the patient portals and assembled this summary' },
    text: narrative('<p>carebinder</p>'),
  };

  const entries: Array<{ fullUrl: string; resource: Json }> = [];
  const sections = IPS_SECTIONS.map((definition) => {
    const chosen = input.chosen.get(definition.key) ?? [];
    const section: Json = {
      title: definition.title,
      code: { coding: [{ system: 'http://loinc.org', code: definition.code, display: definition.display }] },
    };
    if (chosen.length === 0) {
      section.text = narrative(`<p>No ${escapeHtml(definition.title.toLowerCase())} in the records carebinder gathered.</p>`);
      section.emptyReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }] };
      return section;
    }
    const rows = chosen.map((c) => `<tr>${rowCells(definition.key, c).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}<td>${escapeHtml(portalNamesOf(sources, c.groupLinkIds))}</td></tr>`);
    section.text = narrative(
      `<table><thead><tr>${[...definition.columns, 'Source'].map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
    section.entry = chosen.map((c) => {
      const urn = urnFor(c.id);
      const resource = input.resourceById.get(c.id);
      if (resource) entries.push({ fullUrl: urn, resource: localise(resource, c.linkId, urn) });
      return { reference: urn, display: c.title };
    });
    return section;
  });
  for (const s of input.supporting) {
    const urn = urnFor(s.id);
    entries.push({ fullUrl: urn, resource: localise(s.resource, s.linkId, urn) });
  }
  const composition: Json = {
    resourceType: 'Composition',
    id: compositionUrn.slice('urn:uuid:'.length),
    status: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: '60591-5', display: 'Patient summary Document' }] },
    subject: { reference: patientUrn, display: name ?? undefined },
    date: now.toISOString(),
    author: [{ reference: deviceUrn, display: 'carebinder' }],
    title: `International Patient Summary${name ? ` of ${name}` : ''}`,
    confidentiality: 'N',
    text: narrative(`<p>International Patient Summary${name ? ` of ${escapeHtml(name)}` : ''}, assembled by carebinder on ${escapeHtml(now.toISOString().slice(0, 10))} from the records of ${escapeHtml(portalNames(sources))}.</p>`),
    section: sections,
  };
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    identifier: { system: 'urn:ietf:rfc:3986', value: randomUrn() },
    type: 'document',
    timestamp: now.toISOString(),
    entry: [
      { fullUrl: compositionUrn, resource: composition },
      { fullUrl: patientUrn, resource: patient },
      { fullUrl: deviceUrn, resource: device },
      ...entries,
    ],
  };
}

function rowCells(section: SectionKey, c: IpsCandidate): string[] {
  const date = c.date ?? '';
  switch (section) {
    case 'problems':
      return [c.title, c.clinicalStatus ?? c.status ?? '', date];
    case 'pastIllness':
    case 'planOfCare':
      return [c.title, c.clinicalStatus ?? c.status ?? '', c.endDate ? `${date} – ${c.endDate}` : date];
    case 'medications':
      return [c.title, doseWords(c.dose) ?? '', c.status ?? '', date];
    case 'results':
    case 'vitals':
    case 'socialHistory':
      return [c.title, valueWords(c.value) ?? c.status ?? '', date];
    default:
      return [c.title, c.clinicalStatus ?? c.status ?? '', date];
  }
}

function narrative(xhtml: string): Json {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${xhtml}</div>` };
}

function portalNamesOf(sources: AccountSources, linkIds: readonly string[]): string {
  return [...new Set(linkIds.map((id) => sources.byLink.get(id)?.portalName).filter(Boolean))].join(', ');
}

function portalNames(sources: AccountSources): string {
  const names = [...new Set([...sources.byLink.values()].map((s) => s.portalName))];
  return names.length ? names.join(', ') : 'no portal';
}

function randomUrn(): string {
  return `urn:uuid:${randomUUID()}`;
}

