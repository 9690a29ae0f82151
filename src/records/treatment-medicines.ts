// The medication treatment summary: one line per cancer medicine, however many orders and doses it took.

import { groupDuplicates } from './duplicates.js';
import { dosageOf, extractBinderFields, medicationConcept, type BinderFields } from './binder-fields.js';
import { asObject, at, conceptText, dayOf, daysBetween, earliest, fhirDate, latest, objects, referenceKey, resourceTypeOf, text, type JsonObject } from './fhir-read.js';
import { medicineIdentity, normaliseIngredientName, type MedicineIdentity } from './medicine-names.js';
import { mergeSources, type PortalSource, type RecordIndex, type StoredRecord } from './stored-record.js';
import { readableQuantity, readableUnit } from './display.js';
import { describeDosageFrequency, describeInterval } from './timing.js';
import { UnionFind } from './union-find.js';

export const MEDICATION_TREATMENT_CATEGORY = 'medication-treatment-summary';

export interface MedicineDoseCount {
  amount: number;
  /** As a patient reads it (mg/m², IU). */
  unit: string | null;
  /** How many administrations had this dose (for a course recorded only as orders: how many orders). */
  count: number;
  /** "80 mg/m²". */
  display: string;
  /** The records this dose was read from. */
  recordIds: string[];
}

/**
 * How the medicine was taken: 'course' when the records say when single doses were given (infusions,
 * injections); 'continuous' when only orders, dispenses and statements exist (a daily pill), which
 * reads as its dose and frequency since it started, never as a count of orders.
 */
export type MedicineRegimen = 'course' | 'continuous';

export type MedicineStatus = 'ongoing' | 'completed' | 'stopped' | 'unknown';

export interface MedicineSummary {
  /** Lower-case ingredient ("paclitaxel"); UNNAMED_MEDICINE for chemo administrations that name no drug. */
  ingredient: string;
  rxnormCodes: string[];
  regimen: MedicineRegimen;
  /** Doses given, most common first; empty for a continuous medicine (no single doses recorded: see doseText). */
  doses: MedicineDoseCount[];
  /** The prescribed dose and schedule in words: "1 mg once a day". */
  doseText: string | null;
  /** A continuous medicine: the day it was started. */
  since: string | null;
  /** The last dose given (an administration), or the end of a period that has ended; never an order date. */
  lastGiven: string | null;
  route: string | null;
  frequency: string | null;
  /** The first dose given (a course) or the start (a continuous medicine). */
  firstDate: string | null;
  /** The same as lastGiven. */
  lastDate: string | null;
  /** MedicationAdministration records (duplicates across portals counted once). */
  administrations: number;
  /** Distinct days the medicine was given; without any record of it being given, distinct order start days. */
  cycles: number;
  status: MedicineStatus;
  sources: PortalSource[];
  recordIds: string[];
  /** For each figure above (doses, doseText, frequency, firstDate, lastGiven, administrations, cycles, status), the records it came from. */
  evidence: Record<string, string[]>;
}

export const UNNAMED_MEDICINE = 'cancer medicine (not named)';

type MedicineKind = 'order' | 'statement' | 'administration' | 'dispense' | 'procedure';

const KIND_BY_TYPE: Record<string, MedicineKind> = {
  MedicationRequest: 'order',
  MedicationStatement: 'statement',
  MedicationAdministration: 'administration',
  MedicationDispense: 'dispense',
  Procedure: 'procedure',
};

// Records of something that did not happen do not belong in a treatment summary.
const WITHDRAWN_STATUS: Record<MedicineKind, ReadonlySet<string>> = {
  order: new Set(['entered-in-error', 'cancelled', 'draft']),
  statement: new Set(['entered-in-error', 'not-taken']),
  administration: new Set(['entered-in-error', 'not-done']),
  dispense: new Set(['entered-in-error', 'cancelled', 'declined']),
  procedure: new Set(['entered-in-error', 'not-done', 'preparation']),
};

interface MedicineRecord {
  record: StoredRecord;
  r: JsonObject;
  kind: MedicineKind;
  fields: BinderFields;
  identity: MedicineIdentity;
  status: string | null;
  start: string | null;
  end: string | null;
}

/** A summary with the keys that name its drug, so side effects can be linked to it. */
export interface MedicineGroup {
  summary: MedicineSummary;
  names: string[];
  keys: string[];
}

function toMedicineRecord(record: StoredRecord, index: RecordIndex): MedicineRecord | null {
  const r = asObject(record.resource);
  const type = resourceTypeOf(r);
  const kind = type ? KIND_BY_TYPE[type] : undefined;
  if (!r || !kind) return null;
  const status = text(r.status);
  if (status && WITHDRAWN_STATUS[kind].has(status)) return null;
  const fields = extractBinderFields(r);
  // An order's dates are when therapy starts and is meant to stop, not how long the prescription is valid.
  const end = kind === 'order' ? fhirDate(at(r, 'dosageInstruction', 0, 'timing', 'repeat', 'boundsPeriod', 'end')) : fields.endDate;
  return { record, r, kind, fields, identity: identityOf(r, kind, record, index), status, start: fields.date, end };
}

function identityOf(r: JsonObject, kind: MedicineKind, record: StoredRecord, index: RecordIndex): MedicineIdentity {
  if (kind === 'procedure') {
    // A chemo-administration procedure names its drug only in usedCode / usedReference, when at all.
    const concepts = [...objects(r.usedCode), ...objects(r.usedReference).map((reference) => asObject(index.find(referenceKey(reference.reference), record)?.resource)?.code)];
    return mergeIdentities([
      ...concepts.map(medicineIdentity),
      ...objects(r.usedReference).map((reference) => nameOnlyIdentity(reference.display)),
    ]);
  }
  const concept = medicationConcept(r);
  if (concept) return medicineIdentity(concept);
  // A Medication kept as its own record, fetched by the sync.
  const medication = asObject(index.find(referenceKey(at(r, 'medicationReference', 'reference')), record)?.resource);
  if (medication && medication.resourceType === 'Medication') return medicineIdentity(medication.code);
  return nameOnlyIdentity(at(r, 'medicationReference', 'display'));
}

function nameOnlyIdentity(name: unknown): MedicineIdentity {
  const normalised = normaliseIngredientName(conceptText({ text: name }));
  return { keys: normalised ? [`name:${normalised}`] : [], name: normalised, rxnormCodes: [] };
}

function mergeIdentities(identities: readonly MedicineIdentity[]): MedicineIdentity {
  return {
    keys: [...new Set(identities.flatMap((identity) => identity.keys))],
    name: identities.find((identity) => identity.name)?.name ?? null,
    rxnormCodes: [...new Set(identities.flatMap((identity) => identity.rxnormCodes))],
  };
}

function recordTexts(item: MedicineRecord): string {
  return [item.fields.title, ...item.fields.codes.map((code) => code.display ?? ''), ...objects(item.r.note).map((note) => text(note.text) ?? '')]
    .join(' ')
    .toLowerCase();
}

function mentions(haystack: string, name: string): boolean {
  return name.length >= 4 && new RegExp(`(^|[^a-z])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(haystack);
}

function mostCommon<T>(values: readonly T[]): T | null {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: T | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export interface MedicineSummaryOptions {
  /** The day the records were read (FHIR date): a period that ends after it has not ended. */
  asOf?: string;
}

export function summariseMedicines(records: readonly StoredRecord[], index: RecordIndex, options: MedicineSummaryOptions = {}): MedicineGroup[] {
  const items = records
    .filter((record) => record.categories.includes(MEDICATION_TREATMENT_CATEGORY))
    .map((record) => toMedicineRecord(record, index))
    .filter((item): item is MedicineRecord => item !== null);

  // Rule: records that share an RxNorm code or a normalised drug name are one medicine.
  const named = items.filter((item) => item.identity.keys.length > 0);
  const sets = new UnionFind(named.length);
  sets.unionByKeys(named.map((item) => item.identity.keys));
  const groups = sets.groups().map((indexes) => ({
    members: indexes.map((position) => named[position]).filter((item): item is MedicineRecord => item !== undefined),
    attached: [] as MedicineRecord[],
  }));

  // Rule: a record that names no drug (typically a CPT 964xx chemo-administration procedure) joins the
  // medicine its text mentions; else it is kept as provenance of the medicines given that day; else it
  // is listed as an unnamed cancer medicine so the treatment day is not lost.
  const unnamed: MedicineRecord[] = [];
  for (const item of items.filter((candidate) => candidate.identity.keys.length === 0)) {
    const words = recordTexts(item);
    const byName = groups.find((group) => group.members.some((member) => member.identity.keys.some((key) => key.startsWith('name:') && mentions(words, key.slice(5)))));
    if (byName) {
      byName.members.push(item);
      continue;
    }
    const sameDay = item.start
      ? groups.filter((group) => group.members.some((member) => member.start && item.start && dayOf(member.start) === dayOf(item.start)))
      : [];
    if (sameDay.length > 0) for (const group of sameDay) group.attached.push(item);
    else unnamed.push(item);
  }
  if (unnamed.length > 0) groups.push({ members: unnamed, attached: [] });

  const inputOrder = new Map(records.map((record, position) => [record.id, position]));
  return groups
    .map((group) => summariseGroup(group.members, group.attached, group.members === unnamed, inputOrder, options))
    .sort((a, b) => (a.summary.firstDate ?? '9999').localeCompare(b.summary.firstDate ?? '9999') || a.summary.ingredient.localeCompare(b.summary.ingredient));
}

function summariseGroup(
  members: MedicineRecord[],
  attached: MedicineRecord[],
  isUnnamed: boolean,
  inputOrder: ReadonlyMap<string, number>,
  options: MedicineSummaryOptions,
): MedicineGroup {
  // Duplicates (the same dose reported by two portals) are counted once: one representative per duplicate group.
  const duplicateGroups = groupDuplicates(members.map((member) => ({ id: member.record.id, resource: member.r, sources: member.record.sources })));
  const byId = new Map(members.map((member) => [member.record.id, member]));
  const distinct = duplicateGroups.map((group) => byId.get(group.primaryId)).filter((member): member is MedicineRecord => member !== undefined);

  const given = distinct.filter((member) => member.kind === 'administration' || member.kind === 'procedure');
  const administrations = distinct.filter((member) => member.kind === 'administration');
  const planned = distinct.filter((member) => member.kind !== 'administration' && member.kind !== 'procedure');
  const givenDays = [...new Set(given.map((member) => member.start).filter((date): date is string => date !== null).map(dayOf))].sort();
  const ids = (list: readonly MedicineRecord[]): string[] => [...new Set(list.map((member) => member.record.id))];

  // Rule: a medicine whose single doses are recorded is a course, dated by the days it was given; one
  // known only from orders, dispenses and statements is taken continuously: since its first start, and
  // "last given" only when a period has ended (an order's end date, a statement's period), never the
  // date of an order or a dispense.
  // A drug given into a vein, a muscle or under the skin is given in doses, even when only its orders are held.
  const parenteral = planned.some((member) => PARENTERAL.test([member.fields.dose?.route, member.fields.dose?.text, member.fields.title].join(' ')));
  const regimen: MedicineRegimen = givenDays.length > 0 || parenteral ? 'course' : 'continuous';
  const status = statusOf(distinct);
  let firstDate: string | null;
  let lastGiven: string | null;
  let firstFrom: MedicineRecord[];
  let lastFrom: MedicineRecord[];
  if (givenDays.length > 0) {
    firstDate = earliest(given.map((member) => member.start));
    lastGiven = latest(given.flatMap((member) => [member.start, member.end]));
    firstFrom = given.filter((member) => member.start === firstDate);
    lastFrom = given.filter((member) => member.start === lastGiven || member.end === lastGiven);
  } else {
    const starts = planned.filter((member) => member.kind !== 'dispense');
    firstDate = earliest((starts.length > 0 ? starts : planned).map((member) => member.start));
    const ended = planned.filter((member) => member.end !== null && hasEnded(member.end, status, options.asOf));
    lastGiven = latest(ended.map((member) => member.end));
    firstFrom = planned.filter((member) => member.start === firstDate);
    lastFrom = ended.filter((member) => member.end === lastGiven);
  }

  const cycles = givenDays.length > 0 ? givenDays.length : new Set(planned.filter((member) => member.kind === 'order').map((member) => member.start).filter((date): date is string => date !== null).map(dayOf)).size;

  const givenDoses = doseCounts(administrations);
  // Rule: doses given are counted per administration; a course known only from its orders counts them
  // per order (a cycle each); a continuous medicine's dose is its prescribed dose (doseText), not counted.
  const doses = givenDoses.length > 0 ? givenDoses : regimen === 'course' ? doseCounts(planned) : [];
  const frequency = frequencyOf(planned, givenDays);
  const prescribed = prescribedDose(planned);
  const doseText = prescribed ? text([prescribed.dose, frequency].filter(Boolean).join(' ')) : null;
  const allRecords = [...members, ...attached];
  const names = [...new Set(members.map((member) => member.identity.name).filter((name): name is string => name !== null))];
  return {
    summary: {
      ingredient: isUnnamed ? UNNAMED_MEDICINE : (mostCommon(members.map((member) => member.identity.name).filter((name): name is string => name !== null)) ?? UNNAMED_MEDICINE),
      rxnormCodes: [...new Set(members.flatMap((member) => member.identity.rxnormCodes))],
      regimen,
      doses,
      doseText,
      since: regimen === 'continuous' ? firstDate : null,
      lastGiven,
      route: mostCommon(distinct.map((member) => member.fields.dose?.route).filter((route): route is string => route !== undefined)),
      frequency,
      firstDate,
      lastDate: lastGiven,
      administrations: administrations.length,
      cycles,
      status,
      sources: mergeSources(allRecords.map((member) => member.record.sources)),
      recordIds: [...new Set(allRecords.map((member) => member.record.id))].sort((a, b) => (inputOrder.get(a) ?? 0) - (inputOrder.get(b) ?? 0)),
      evidence: {
        doses: [...new Set(doses.flatMap((dose) => dose.recordIds))],
        doseText: prescribed ? prescribed.recordIds : [],
        frequency: ids(planned.length > 0 ? planned : given),
        firstDate: ids(firstFrom),
        lastGiven: ids(lastFrom),
        administrations: ids(administrations),
        cycles: ids(givenDays.length > 0 ? given : planned.filter((member) => member.kind === 'order')),
        status: ids(planned.length > 0 ? planned : distinct),
      },
    },
    names,
    keys: [...new Set(members.flatMap((member) => member.identity.keys))],
  };
}

const PARENTERAL = /\b(intravenous\w*|iv|ivpb|infusion|injection|inject\w*|intramuscular|im|subcutaneous\w*|subq|sc|intrathecal)\b/i;

/** Whether a period that ends on `end` is over: before the day the records were read, or, without that day, once the medicine is no longer taken. */
function hasEnded(end: string, status: MedicineStatus, asOf: string | undefined): boolean {
  if (asOf) return dayOf(end) <= dayOf(asOf);
  return status !== 'ongoing';
}

/** The latest order's or statement's dose in words, with the records that say it. */
function prescribedDose(planned: readonly MedicineRecord[]): { dose: string; recordIds: string[] } | null {
  const withDose = planned
    .filter((member) => member.kind !== 'dispense' && member.fields.dose?.display)
    .sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''));
  const latestDose = withDose[0]?.fields.dose;
  if (!latestDose?.display) return null;
  return {
    dose: latestDose.display,
    recordIds: withDose.filter((member) => member.fields.dose?.display === latestDose.display).map((member) => member.record.id),
  };
}

// A dose written only in words ("80 mg/m2") when the record has no structured quantity.
const DOSE_IN_WORDS = /(\d+(?:\.\d+)?)\s*(mg\/m2|mg\/kg|mcg\/kg|mg|mcg|g|units?|mL)\b/i;

/** Rule: distinct amount + unit, counted per administration when they give doses, else per order/statement. */
function doseCounts(members: readonly MedicineRecord[]): MedicineDoseCount[] {
  const counts = new Map<string, MedicineDoseCount>();
  for (const member of members) {
    let amount = member.fields.dose?.amount ?? null;
    let unit = member.fields.dose?.unit ?? null;
    if (amount === null && member.fields.dose?.text) {
      const match = DOSE_IN_WORDS.exec(member.fields.dose.text);
      if (match?.[1]) {
        amount = Number(match[1]);
        unit = match[2] ? readableUnit(match[2]) : null;
      }
    }
    if (amount === null) continue;
    const key = `${amount}|${(unit ?? '').toLowerCase()}`;
    const existing = counts.get(key);
    if (existing) {
      existing.count++;
      if (!existing.recordIds.includes(member.record.id)) existing.recordIds.push(member.record.id);
    } else {
      counts.set(key, { amount, unit, count: 1, display: readableQuantity(amount, unit), recordIds: [member.record.id] });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/**
 * Rule: the schedule the orders give in structured timing; else the interval seen between the days
 * it was given (the most common interval, when it covers most of them); else the orders' timing code text.
 */
function frequencyOf(planned: readonly MedicineRecord[], givenDays: readonly string[]): string | null {
  const written = mostCommon(
    planned
      .map((member) => dosageOf(member.r, resourceTypeOf(member.r)))
      .map((dosage) => (dosage ? describeDosageFrequency(dosage) : null))
      .filter((words): words is string => words !== null),
  );
  if (written) return written;
  const intervals: number[] = [];
  for (let position = 1; position < givenDays.length; position++) {
    const previous = givenDays[position - 1];
    const current = givenDays[position];
    const gap = previous && current ? daysBetween(previous, current) : null;
    if (gap !== null && gap > 0) intervals.push(gap);
  }
  const usual = mostCommon(intervals);
  if (intervals.length >= 2 && usual !== null && intervals.filter((gap) => gap === usual).length / intervals.length >= 0.6) {
    return describeInterval(usual);
  }
  return mostCommon(
    planned.map((member) => conceptText(at(dosageOf(member.r, resourceTypeOf(member.r)), 'timing', 'code'))).filter((words): words is string => words !== null),
  );
}

// Rule: ongoing while any order or statement is active (or paused, or intended); otherwise what the
// latest order says (stopped early or completed); records of doses given alone mean completed.
const ONGOING_STATUS = new Set(['active', 'on-hold', 'intended']);

function statusOf(members: readonly MedicineRecord[]): MedicineStatus {
  const planned = members.filter((member) => member.kind === 'order' || member.kind === 'statement');
  if (planned.some((member) => member.status && ONGOING_STATUS.has(member.status))) return 'ongoing';
  const latestPlanned = [...planned].sort((a, b) => (a.start ?? '').localeCompare(b.start ?? '')).at(-1);
  if (latestPlanned?.status === 'stopped') return 'stopped';
  if (latestPlanned?.status === 'completed') return 'completed';
  if (members.some((member) => member.kind === 'administration' || member.kind === 'procedure' || member.kind === 'dispense')) return 'completed';
  return 'unknown';
}
