// What is missing from the binder: the clinical events whose record is absent. Pure functions over
// the stored records (each with its categories, as classify filed it):
//   an operation without an operation report, an inpatient stay without a discharge summary,
//   a biopsy or excision without a pathology report, an imaging exam without a report,
//   a radiation course without a treatment summary.
// A report answers an event when it is filed in the event's category and either the two are linked
// (Procedure.report, DiagnosticReport.imagingStudy/encounter/basedOn, DocumentReference.context
// related/encounter, Composition.encounter/event, one binder item) or, since real portals often do
// not link them, the report is dated within the event's window (see WINDOWS). Each gap names the
// organization to ask: the event's performer, service provider or location, resolved against the
// stored Organization, Location and PractitionerRole records, else the portal that holds its record.
// A percutaneous needle biopsy is asked for its pathology report only: its record is that report.

import { extractBinderFields, type BinderFields } from './binder-fields.js';
import { CATEGORIES, CATEGORY_IDS, type CategoryId } from './categories.js';
import { codingsOf, conceptMatchText } from './classify/fhir.js';
import { asObject, dayOf, objects, parseReference, referenceKey, resourceTypeOf, text, type JsonObject } from './fhir-read.js';
import { RecordIndex, type StoredRecord } from './stored-record.js';
import { summariseRadiation } from './treatment-radiation.js';

export type GapKind = 'operation-report' | 'discharge-summary' | 'pathology-report' | 'imaging-report' | 'radiation-summary';

export interface GapOrganization {
  name: string;
  address: string | null;
  phone: string | null;
  fax: string | null;
}

export interface GapEvent {
  resourceType: string;
  /** carebinder's record id (GET /api/resources/:id), not the portal's FHIR id. */
  id: string;
  title: string;
  /** As the portal wrote it; a stay or a course also has an end. */
  date: string | null;
  endDate: string | null;
}

export interface ChecklistGap {
  /** Stable while the event's record is stored: "<kind>:<record id>". */
  id: string;
  kind: GapKind;
  category: CategoryId;
  reason: string;
  event: GapEvent;
  organization: GapOrganization | null;
}

export interface ChecklistRecord extends StoredRecord {
  /** The binder item the record belongs to (duplicates and one event's parts share it), if known. */
  group?: string;
}

interface GapRule {
  category: CategoryId;
  reason: string;
  /** Days before the event's first day and after its last day in which an unlinked report answers it. */
  before: number;
  after: number;
}

/**
 * Rules: an operative note is dictated the same day or within days; a pathology report follows the
 * specimen within about three weeks; a discharge summary is written at or soon after discharge; an
 * imaging report within days of the exam. A month (two weeks for imaging) allows for late ones.
 */
export const GAP_RULES: Readonly<Record<GapKind, GapRule>> = {
  'operation-report': { category: 'operation-reports', reason: 'An operation with no operation report', before: 1, after: 30 },
  'discharge-summary': { category: 'discharge-summaries', reason: 'A hospital stay with no discharge summary', before: 1, after: 30 },
  'pathology-report': { category: 'pathology-reports', reason: 'A biopsy or excision with no pathology report', before: 1, after: 30 },
  'imaging-report': { category: 'imaging-results', reason: 'An imaging exam with no report', before: 1, after: 14 },
  'radiation-summary': { category: 'radiation-treatment-summary', reason: 'A radiation course with no treatment summary', before: 7, after: 60 },
};

const REPORT_TYPES: ReadonlySet<string> = new Set(['DiagnosticReport', 'DocumentReference', 'Composition']);
const WITHDRAWN: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled', 'not-done', 'preparation', 'in-progress', 'on-hold', 'registered', 'planned', 'superseded']);

// ---------------------------------------------------------------------------------------------
// Biopsies and excisions: what sends tissue to pathology.

// SNOMED CT: biopsy, excision and the common cancer resections.
const TISSUE_SNOMED: ReadonlySet<string> = new Set([
  '86273004', // Biopsy
  '65801008', // Excision
  '396487001', // Sentinel lymph node biopsy
  '392021009', // Lumpectomy of breast
  '43075005', // Partial resection of colon
  '173171007', // Lobectomy of lung
  '69031006', // Excision of breast tissue (mastectomy)
  '122548005', // Biopsy of breast
  '234262008', // Excision of axillary lymph node
]);

// CPT ranges that take tissue: FNA and biopsies, excisions and resections (AMA CPT surgery section).
const TISSUE_CPT: ReadonlyArray<readonly [number, number]> = [
  [10004, 10021], // Fine needle aspiration biopsy
  [11102, 11107], // Skin biopsy
  [11400, 11646], // Excision of skin lesions
  [19081, 19126], // Breast biopsy, excision of breast lesion
  [19301, 19307], // Mastectomy
  [20220, 20251], // Bone biopsy
  [31625, 31629], // Bronchoscopy with biopsy
  [32096, 32100], // Thoracotomy with lung biopsy
  [32480, 32507], // Lobectomy, pneumonectomy, segmentectomy
  [38220, 38222], // Bone marrow aspiration and biopsy
  [38500, 38780], // Lymph node biopsy, excision, lymphadenectomy
  [43239, 43239], // EGD with biopsy
  [44140, 44160], // Colectomy
  [45380, 45385], // Colonoscopy with biopsy or removal of polyps
  [47120, 47130], // Hepatectomy
  [48150, 48154], // Pancreatectomy
  [50220, 50240], // Nephrectomy
  [55700, 55706], // Prostate biopsy
  [55810, 55866], // Prostatectomy
  [58150, 58294], // Hysterectomy
  [60210, 60271], // Thyroidectomy
];

const TISSUE_WORDS = /\b(biops(y|ies)|excision(al)?|excise|resection|lumpectomy|polypectomy|\w+ectomy|fine needle aspirat\w*|fna|core needle)\b/i;
// A pathology examination or a review is the report's side, not a procedure that takes tissue.
const NOT_TISSUE_WORDS = /\b(patholog\w*|review|consult\w*|planning|history of|status post|screening questionnaire)\b/i;

// Percutaneous needle biopsies (FNA, core needle, image-guided, bone marrow): done in radiology or clinic,
// their record is the pathology report; no operation report is asked for them.
const NEEDLE_BIOPSY_CPT: ReadonlyArray<readonly [number, number]> = [
  [10004, 10021], // Fine needle aspiration
  [19081, 19086], // Breast biopsy, percutaneous, with imaging guidance
  [19100, 19100], // Breast biopsy, percutaneous, needle core, without imaging guidance
  [20220, 20225], // Bone biopsy, trocar or needle
  [32405, 32405], // Lung or mediastinum biopsy, percutaneous needle
  [38220, 38222], // Bone marrow aspiration and biopsy
  [47000, 47000], // Liver biopsy, percutaneous needle
  [49180, 49180], // Abdominal or retroperitoneal mass biopsy, percutaneous needle
  [50200, 50200], // Kidney biopsy, percutaneous
  [55700, 55706], // Prostate biopsy, needle
  [60100, 60100], // Thyroid biopsy, percutaneous core needle
];
const NEEDLE_BIOPSY_WORDS = /\b(needle|percutaneous|fna|core biops\w*|bone marrow (aspirat\w*|biops\w*)|(us|ct|mri?|ultrasound|stereotactic|image)[- ]guided)\b/i;

function isNeedleBiopsy(r: JsonObject): boolean {
  for (const coding of codingsOf(r.code)) {
    if (coding.system !== 'cpt' || !/^\d{5}$/.test(coding.code)) continue;
    const code = Number(coding.code);
    if (NEEDLE_BIOPSY_CPT.some(([from, to]) => code >= from && code <= to)) return true;
  }
  const words = conceptMatchText(r.code);
  return /\bbiops|\baspirat/i.test(words) && NEEDLE_BIOPSY_WORDS.test(words);
}

function isTissueProcedure(r: JsonObject): boolean {
  for (const coding of codingsOf(r.code)) {
    if (coding.system === 'snomed' && TISSUE_SNOMED.has(coding.code)) return true;
    if (coding.system === 'cpt' && /^\d{5}$/.test(coding.code)) {
      const code = Number(coding.code);
      if (TISSUE_CPT.some(([from, to]) => code >= from && code <= to)) return true;
    }
    // ICD-10-PCS medical and surgical section (0), root operation (third character) B excision or T resection.
    if (coding.system === 'icd10pcs' && /^0.[BT]/i.test(coding.code)) return true;
  }
  const words = conceptMatchText(r.code);
  return TISSUE_WORDS.test(words) && !NOT_TISSUE_WORDS.test(words);
}

// ---------------------------------------------------------------------------------------------
// The records, read once.

interface Prepared {
  record: ChecklistRecord;
  r: JsonObject;
  type: string;
  fields: BinderFields;
  day: string | null;
  lastDay: string | null;
  portals: ReadonlySet<string>;
}

function prepare(record: ChecklistRecord): Prepared | null {
  const r = asObject(record.resource);
  const type = resourceTypeOf(r);
  if (!r || !type) return null;
  const fields = extractBinderFields(r);
  const day = fields.date ? dayOf(fields.date) : null;
  return {
    record,
    r,
    type,
    fields,
    day,
    lastDay: fields.endDate ? dayOf(fields.endDate) : day,
    portals: new Set(record.sources.map((source) => source.portalId)),
  };
}

function withdrawn(item: Prepared): boolean {
  return WITHDRAWN.has(text(item.r.status) ?? '');
}

function keysOf(references: readonly JsonObject[]): string[] {
  return references.map((reference) => referenceKey(reference.reference)).filter((key): key is string => key !== null);
}

const targetsOf = new WeakMap<Prepared, ReadonlySet<string>>();

/** Every resource the report says it is about: the event itself, its encounter, its order (read once per report). */
function reportTargets(report: Prepared): ReadonlySet<string> {
  const known = targetsOf.get(report);
  if (known) return known;
  const r = report.r;
  const targets = new Set([
    ...keysOf(objects(r.imagingStudy)),
    ...keysOf(objects(r.encounter)),
    ...keysOf(objects(r.basedOn)),
    ...keysOf(objects(r.partOf)),
    ...keysOf(objects(asObject(r.context)?.related)),
    ...keysOf(objects(asObject(r.context)?.encounter)),
    ...keysOf(objects(r.event).flatMap((event) => objects(event.detail))),
  ]);
  targetsOf.set(report, targets);
  return targets;
}

/** What the event says about itself: its own key, its reports, its order, its encounter. */
function eventLinks(event: Prepared): { self: string | null; reports: Set<string>; orders: Set<string>; encounter: string | null } {
  const id = text(event.r.id);
  return {
    self: id ? `${event.type}/${id}` : null,
    reports: new Set(keysOf(objects(event.r.report))),
    orders: new Set(keysOf(objects(event.r.basedOn))),
    encounter: event.type === 'Encounter' ? null : (keysOf(objects(event.r.encounter))[0] ?? null),
  };
}

/** Whole days since 1970 of a full date ("2024-03-05"), else null (a partial date has no day). */
function dayNumber(day: string | null): number | null {
  if (!day || day.length !== 10) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? null : Math.round(ms / 86_400_000);
}

function within(day: string | null, from: string | null, to: string | null, before: number, after: number): boolean {
  const at = dayNumber(day);
  const start = dayNumber(from);
  const end = dayNumber(to);
  return at !== null && start !== null && end !== null && at >= start - before && at <= end + after;
}

/** The reports of one category, looked up by binder item, by what they are and point at (per portal), and by day. */
class ReportIndex {
  private readonly groups = new Set<string>();
  private readonly bySelf = new Set<string>();
  private readonly byTarget = new Map<string, Prepared[]>();
  /** Report days, ascending. */
  private readonly days: number[];

  constructor(reports: readonly Prepared[]) {
    const days: number[] = [];
    for (const report of reports) {
      if (report.record.group !== undefined) this.groups.add(report.record.group);
      const id = text(report.r.id);
      for (const portal of report.portals) {
        if (id) this.bySelf.add(`${portal} ${report.type}/${id}`);
        for (const target of reportTargets(report)) {
          const key = `${portal} ${target}`;
          const list = this.byTarget.get(key);
          if (list) list.push(report);
          else this.byTarget.set(key, [report]);
        }
      }
      const day = dayNumber(report.day);
      if (day !== null) days.push(day);
    }
    this.days = days.sort((a, b) => a - b);
  }

  /** Whether a report answers the event: one binder item, linked either way at its portal, or dated within the rule's window. */
  answers(event: Prepared, rule: GapRule): boolean {
    if (event.record.group !== undefined && this.groups.has(event.record.group)) return true;
    const links = eventLinks(event);
    for (const portal of event.portals) {
      for (const report of links.reports) if (this.bySelf.has(`${portal} ${report}`)) return true;
      if (links.self && this.byTarget.has(`${portal} ${links.self}`)) return true;
      for (const order of links.orders) if (this.byTarget.has(`${portal} ${order}`)) return true;
      // The operation's own note, written in the same visit (an inpatient stay holds more than one event: not for discharge).
      if (links.encounter && rule.category !== 'discharge-summaries') {
        for (const report of this.byTarget.get(`${portal} ${links.encounter}`) ?? []) if (within(report.day, event.day, event.lastDay, rule.before, rule.after)) return true;
      }
    }
    const start = dayNumber(event.day);
    const end = dayNumber(event.lastDay);
    if (start === null || end === null) return false;
    // The first report on or after the window's first day, if it is not past its last.
    let low = 0;
    let high = this.days.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.days[middle] < start - rule.before) low = middle + 1;
      else high = middle;
    }
    return low < this.days.length && this.days[low] <= end + rule.after;
  }
}

// ---------------------------------------------------------------------------------------------
// The organization to ask.

/** An Address as one line: its text, else its lines, city, state and postal code, country. */
export function addressText(address: unknown): string | null {
  const a = asObject(address);
  if (!a) return null;
  const own = text(a.text);
  if (own) return own;
  const lines = Array.isArray(a.line) ? a.line.map(text).filter((line): line is string => line !== null) : [];
  const cityLine = [text(a.city), [text(a.state), text(a.postalCode)].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const parts = [...lines, cityLine, text(a.country)].filter((part): part is string => Boolean(part));
  return parts.length ? parts.join(', ') : null;
}

function telecomOf(r: JsonObject, system: 'phone' | 'fax'): string | null {
  const all = objects(r.telecom).filter((telecom) => text(telecom.system) === system && text(telecom.value));
  const chosen = all.find((telecom) => text(telecom.use) === 'work') ?? all[0];
  return chosen ? text(chosen.value) : null;
}

function firstAddress(r: JsonObject): string | null {
  for (const address of objects(r.address)) {
    const written = addressText(address);
    if (written) return written;
  }
  return null;
}

class OrganizationResolver {
  private readonly index: RecordIndex;
  private readonly ownOrganizations = new Map<string, GapOrganization | null>();

  constructor(
    records: readonly ChecklistRecord[],
    private readonly prepared: readonly Prepared[],
  ) {
    this.index = new RecordIndex(records, (resource) => {
      const type = resourceTypeOf(resource);
      const id = text(asObject(resource)?.id);
      return type && id ? `${type}/${id}` : null;
    });
  }

  /** The referenced resource: contained in the record, or stored (preferably from the same portal). */
  private resolve(reference: unknown, from: Prepared): JsonObject | null {
    const parsed = parseReference(asObject(reference)?.reference);
    if (!parsed) return null;
    if (parsed.kind === 'contained') return objects(from.r.contained).find((contained) => text(contained.id) === parsed.id) ?? null;
    if (parsed.kind === 'urn') return null;
    return asObject(this.index.find(`${parsed.resourceType}/${parsed.id}`, from.record)?.resource);
  }

  private fromReference(reference: unknown, from: Prepared, depth = 0): GapOrganization | null {
    const target = this.resolve(reference, from);
    const display = text(asObject(reference)?.display);
    const declared = text(asObject(reference)?.type) ?? parseReferenceType(asObject(reference)?.reference);
    if (!target) return display && (declared === 'Organization' || declared === 'Location') ? { name: display, address: null, phone: null, fax: null } : null;
    const type = resourceTypeOf(target);
    if (type === 'Organization') {
      const name = text(target.name) ?? display;
      if (!name) return null;
      return { name, address: firstAddress(target), phone: telecomOf(target, 'phone'), fax: telecomOf(target, 'fax') };
    }
    if (type === 'Location') {
      const owner = depth < 2 ? this.fromReference(target.managingOrganization, from, depth + 1) : null;
      const own = addressText(target.address);
      const name = owner?.name ?? text(target.name) ?? display;
      if (!name) return null;
      return { name, address: own ?? owner?.address ?? null, phone: telecomOf(target, 'phone') ?? owner?.phone ?? null, fax: telecomOf(target, 'fax') ?? owner?.fax ?? null };
    }
    if (type === 'PractitionerRole' && depth < 2) return this.fromReference(target.organization, from, depth + 1);
    return null;
  }

  /** The event's own organization first (performer, service provider), then where it happened, then its encounter's. */
  organizationOf(event: Prepared): GapOrganization | null {
    const r = event.r;
    const candidates: unknown[] = [];
    for (const performer of objects(r.performer)) candidates.push(performer.onBehalfOf, performer.actor);
    for (const series of objects(r.series)) for (const performer of objects(series.performer)) candidates.push(performer.actor);
    candidates.push(r.serviceProvider, r.location, ...objects(r.location).map((location) => location.location));
    const found: GapOrganization[] = [];
    for (const candidate of candidates) {
      const organization = candidate ? this.fromReference(candidate, event) : null;
      if (organization) found.push(organization);
    }
    if (event.type !== 'Encounter') {
      const encounter = this.resolve(objects(r.encounter)[0], event);
      if (encounter) {
        const stay: Prepared = { ...event, r: encounter };
        for (const candidate of [encounter.serviceProvider, ...objects(encounter.location).map((location) => location.location)]) {
          const organization = candidate ? this.fromReference(candidate, stay) : null;
          if (organization) found.push(organization);
        }
      }
    }
    return found.find((organization) => organization.address || organization.phone || organization.fax) ?? found[0] ?? this.portalOrganization(event);
  }

  /**
   * When the event names no organization (a performer who is only a practitioner), the portal that
   * holds its record is the one to ask: the organization its records name most as service provider,
   * custodian or performer, else the portal's name. An upload is no one to ask.
   */
  private portalOrganization(event: Prepared): GapOrganization | null {
    const source = event.record.sources.find((candidate) => !candidate.portalId.startsWith('upload:'));
    if (!source) return null;
    if (this.ownOrganizations.has(source.portalId)) return this.ownOrganizations.get(source.portalId) ?? null;
    const counts = new Map<string, { count: number; reference: JsonObject; from: Prepared }>();
    for (const item of this.prepared) {
      if (!item.portals.has(source.portalId)) continue;
      const references = [item.r.serviceProvider, item.r.custodian, ...objects(item.r.performer).map((performer) => performer.onBehalfOf)];
      for (const reference of objects(references)) {
        const key = referenceKey(reference.reference);
        if (key === null || !key.startsWith('Organization/')) continue;
        const entry = counts.get(key) ?? { count: 0, reference, from: item };
        entry.count += 1;
        counts.set(key, entry);
      }
    }
    const ranked = [...counts.values()].sort((a, b) => b.count - a.count);
    const named = ranked.map((entry) => this.fromReference(entry.reference, entry.from)).find((organization) => organization !== null);
    const organization = named ?? { name: source.portalName, address: null, phone: null, fax: null };
    this.ownOrganizations.set(source.portalId, organization);
    return organization;
  }
}

function parseReferenceType(reference: unknown): string | null {
  const parsed = parseReference(reference);
  return parsed && (parsed.kind === 'relative' || parsed.kind === 'absolute') ? parsed.resourceType : null;
}

// ---------------------------------------------------------------------------------------------
// The gaps.

function eventOf(item: Prepared, title?: string, date?: string | null, endDate?: string | null): GapEvent {
  return {
    resourceType: item.type,
    id: item.record.id,
    title: title ?? item.fields.title,
    date: date === undefined ? item.fields.date : date,
    endDate: endDate === undefined ? (item.fields.endDate ?? null) : endDate,
  };
}

/** The events whose record is absent, in the leaflet's order of their categories, newest first. */
export function findGaps(records: readonly ChecklistRecord[]): ChecklistGap[] {
  const prepared = records.map(prepare).filter((item): item is Prepared => item !== null);
  const resolver = new OrganizationResolver(records, prepared);
  const reportsIn = new Map<CategoryId, Prepared[]>();
  const indexes = new Map<CategoryId, ReportIndex>();
  for (const item of prepared) {
    if (!REPORT_TYPES.has(item.type) || withdrawn(item)) continue;
    for (const category of item.record.categories) {
      const list = reportsIn.get(category as CategoryId);
      if (list) list.push(item);
      else reportsIn.set(category as CategoryId, [item]);
    }
  }

  const gaps: ChecklistGap[] = [];
  const seen = new Set<string>();
  const add = (kind: GapKind, item: Prepared, event: GapEvent = eventOf(item)) => {
    // One gap per binder item: the same operation from two portals is asked for once.
    const once = `${kind} ${item.record.group ?? item.record.id}`;
    if (seen.has(once)) return;
    seen.add(once);
    const rule = GAP_RULES[kind];
    gaps.push({ id: `${kind}:${item.record.id}`, kind, category: rule.category, reason: rule.reason, event, organization: resolver.organizationOf(item) });
  };
  const check = (kind: GapKind, item: Prepared) => {
    const rule = GAP_RULES[kind];
    let index = indexes.get(rule.category);
    if (!index) {
      index = new ReportIndex(reportsIn.get(rule.category) ?? []);
      indexes.set(rule.category, index);
    }
    if (!index.answers(item, rule)) add(kind, item);
  };

  // Procedures that an ImagingStudy names as its own: the study stands for the exam.
  const studyProcedures = new Set<string>();
  for (const item of prepared) {
    if (item.type !== 'ImagingStudy') continue;
    for (const key of keysOf(objects(item.r.procedureReference))) for (const portal of item.portals) studyProcedures.add(`${portal} ${key}`);
  }

  for (const item of prepared) {
    if (withdrawn(item)) continue;
    const categories = item.record.categories;
    if (item.type === 'Procedure') {
      if (categories.includes('operation-reports') && !isNeedleBiopsy(item.r)) check('operation-report', item);
      const elsewhere = categories.some((category) => category !== 'operation-reports');
      if (!elsewhere && isTissueProcedure(item.r)) check('pathology-report', item);
      const id = text(item.r.id);
      const ownStudy = id !== null && [...item.portals].some((portal) => studyProcedures.has(`${portal} Procedure/${id}`));
      if (categories.includes('imaging-results') && !ownStudy) check('imaging-report', item);
    } else if (item.type === 'Encounter' && categories.includes('discharge-summaries')) {
      check('discharge-summary', item);
    } else if (item.type === 'ImagingStudy') {
      check('imaging-report', item);
    }
  }

  // Radiation: one course is many treatment records; the treatment summary's courses say which.
  const byId = new Map(prepared.map((item) => [item.record.id, item]));
  for (const course of summariseRadiation(records)) {
    if (course.startDate === null) continue;
    const members = course.recordIds.map((id) => byId.get(id)).filter((item): item is Prepared => item !== undefined);
    if (members.some((member) => REPORT_TYPES.has(member.type))) continue;
    const first = byId.get(course.evidence.startDate?.[0] ?? '') ?? members[0];
    if (!first) continue;
    const title = course.site ? `Radiation therapy to the ${course.site}` : 'Radiation therapy';
    add('radiation-summary', first, eventOf(first, title, course.startDate, course.endDate));
  }

  const rank = (category: CategoryId) => CATEGORY_IDS.indexOf(category);
  return gaps.sort((a, b) => rank(a.category) - rank(b.category) || (b.event.date ?? '').localeCompare(a.event.date ?? '') || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------------------------
// The categories.

export type CategoryState = 'have' | 'missing' | 'incomplete';

export interface ChecklistCategory {
  id: CategoryId;
  title: string;
  status: CategoryState;
  /** Binder items in the category. */
  count: number;
  /** The newest item's day, YYYY-MM-DD. */
  lastDate: string | null;
}

/** Missing: nothing filed; incomplete: something filed, but an event of the category has no record; have: the rest. */
export function checklistCategories(
  filed: ReadonlyMap<CategoryId, { count: number; lastDate: string | null }>,
  gaps: readonly Pick<ChecklistGap, 'category'>[],
): ChecklistCategory[] {
  const withGaps = new Set(gaps.map((gap) => gap.category));
  return CATEGORY_IDS.map((id) => {
    const { count, lastDate } = filed.get(id) ?? { count: 0, lastDate: null };
    const status: CategoryState = count === 0 ? 'missing' : withGaps.has(id) ? 'incomplete' : 'have';
    return { id, title: CATEGORIES[id].title, status, count, lastDate };
  });
}
