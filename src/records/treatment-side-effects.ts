// Treatment side effects: what, when first noted, which cancer treatment caused it, and whether it
// continued after that treatment ended.

import { extractBinderFields, type BinderFields } from './binder-fields.js';
import {
  asObject,
  at,
  compareDates,
  conceptCode,
  conceptText,
  dayOf,
  daysBetween,
  earliest,
  fhirDate,
  latest,
  num,
  objects,
  referenceKey,
  resourceTypeOf,
  text,
  type JsonObject,
} from './fhir-read.js';
import { medicineIdentity } from './medicine-names.js';
import { statedContinuation } from './patient-entered.js';
import { mergeSources, type PortalSource, type RecordIndex, type StoredRecord } from './stored-record.js';
import { UnionFind } from './union-find.js';

export const SIDE_EFFECTS_CATEGORY = 'treatment-side-effects';

export interface LinkedTreatment {
  kind: 'medicine' | 'radiation' | 'other';
  /** "paclitaxel", "IMRT to base of tongue", or the words of an unresolved reference ("Mastectomy"). */
  name: string;
  firstDate: string | null;
  lastDate: string | null;
  ongoing: boolean;
}

export type Continuation = 'yes' | 'no' | 'unknown';

export interface SideEffectSummary {
  what: string;
  /** The CTCAE grade (0–5) when a record gives one; the highest across records. */
  grade: string | null;
  firstNoted: string | null;
  linkedTreatments: LinkedTreatment[];
  /** How the link was made: the record names the cause, its words do, or only the dates suggest it. */
  linkedBy: 'record' | 'text' | 'timing' | null;
  continuedAfterTreatment: Continuation;
  /** When it went away, if a record says (Condition abatement). */
  abatement: string | null;
  /** The latest clinical status in words ("active", "resolved", "recovering"). */
  clinicalStatus: string | null;
  sources: PortalSource[];
  recordIds: string[];
}

/** A cancer treatment a side effect may be linked to (built from the medicine and radiation summaries). */
export interface TreatmentCandidate {
  treatment: LinkedTreatment;
  recordIds: ReadonlySet<string>;
  /** Medicines: the normalised drug names and identity keys, to match text mentions and allergy substances. */
  names: readonly string[];
  keys: readonly string[];
  /** Radiation: where the course was given ("Right breast"), to link a side effect at that site. */
  site?: string | null;
}

export interface SideEffectOptions {
  /**
   * When the records were fetched. A portal's current "active" status means active on that day, so a
   * side effect still active at sync time after treatment ended continued after it.
   */
  asOf?: string;
}

// Rule: a side effect's onset counts as during a treatment until this many days after its last dose
// (neutropenic fever ~10 days after a cycle, late radiation skin reactions).
const DURING_TREATMENT_GRACE_DAYS = 30;
// Rule: two portals' reports of the same side effect are one when they share a code or name and were
// first noted within this many days; further apart they are separate episodes.
const SAME_EPISODE_DAYS = 30;

interface Assertion {
  state: 'present' | 'resolved';
  date: string;
  /** True when the date is when it resolved; false when it is only a date by which it had resolved. */
  exact: boolean;
}

interface SideEffectRecord {
  record: StoredRecord;
  r: JsonObject;
  type: string;
  fields: BinderFields;
  firstNoted: string | null;
  keys: string[];
  assertions: Assertion[];
  abatement: string | null;
  grade: number | null;
  statusDate: string | null;
  /** Reported as still there (active, recurring, ongoing) with no abatement: its episode is not over. */
  stillPresent: boolean;
}

const PRESENT_STATUS = new Set(['active', 'recurrence', 'relapse', 'ongoing', 'recovering', 'resolvedWithSequelae', 'notRecovered']);
const RESOLVED_STATUS = new Set(['inactive', 'resolved', 'remission', 'recovered']);

function withdrawn(r: JsonObject, type: string): boolean {
  if (text(r.status) === 'entered-in-error' || text(r.status) === 'cancelled') return true;
  const verification = conceptCode(r.verificationStatus);
  if (verification === 'entered-in-error' || verification === 'refuted') return true;
  // An AdverseEvent that could have happened but did not (a near miss).
  return type === 'AdverseEvent' && text(r.actuality) === 'potential';
}

function date(r: JsonObject, ...path: Array<string | number>): string | null {
  return fhirDate(at(r, ...path));
}

function gradeOf(r: JsonObject, type: string, fields: BinderFields): number | null {
  if (type === 'Observation') {
    // "2", 2, or words such as "Grade 2" (coded answers carry the grade in their display).
    const value =
      num(r.valueInteger) ??
      num(at(r, 'valueQuantity', 'value')) ??
      num(conceptCode(r.valueCodeableConcept)) ??
      num(/\b[0-5]\b/.exec(conceptText(r.valueCodeableConcept) ?? text(r.valueString) ?? '')?.[0]);
    if (value !== null && value >= 0 && value <= 5) return value;
  }
  for (const extension of objects(r.extension)) {
    if (typeof extension.url === 'string' && extension.url.endsWith('ctcae-grade')) {
      const grade = num(conceptCode(extension.valueCodeableConcept)) ?? num(/\d/.exec(conceptText(extension.valueCodeableConcept) ?? '')?.[0]);
      if (grade !== null) return grade;
    }
  }
  const inWords = /\bgrade\s*([0-5])\b/i.exec(fields.title);
  return inWords?.[1] ? Number(inWords[1]) : null;
}

/** What each record says about when the side effect was there and when it had gone. */
function assertionsOf(r: JsonObject, type: string, grade: number | null, asOf: string | null): { assertions: Assertion[]; abatement: string | null } {
  const assertions: Assertion[] = [];
  const present = (when: string | null): void => {
    if (when) assertions.push({ state: 'present', date: when, exact: true });
  };
  const resolved = (when: string | null, exact: boolean): void => {
    if (when) assertions.push({ state: 'resolved', date: when, exact });
  };
  const lastUpdated = date(r, 'meta', 'lastUpdated');
  // A status is as of the last update, else as of the sync; "resolved" without a date only bounds when it went.
  const statusAsOf = (...dates: Array<string | null>): string | null => latest([lastUpdated, asOf, ...dates]);
  let abatement: string | null = null;
  switch (type) {
    case 'Condition': {
      const onset = date(r, 'onsetDateTime') ?? date(r, 'onsetPeriod', 'start');
      present(onset);
      abatement = date(r, 'abatementDateTime') ?? date(r, 'abatementPeriod', 'end') ?? date(r, 'abatementPeriod', 'start');
      const status = conceptCode(r.clinicalStatus);
      if (abatement) resolved(abatement, true);
      else if (status && PRESENT_STATUS.has(status)) present(statusAsOf(date(r, 'recordedDate'), onset));
      else if ((status && RESOLVED_STATUS.has(status)) || r.abatementBoolean === true || text(r.abatementString)) resolved(latest([lastUpdated, asOf]), false);
      break;
    }
    case 'AdverseEvent': {
      const happened = date(r, 'date') ?? date(r, 'detected');
      present(happened);
      const outcome = conceptCode(r.outcome);
      if (outcome && PRESENT_STATUS.has(outcome)) present(statusAsOf(date(r, 'recordedDate'), happened));
      else if (outcome && RESOLVED_STATUS.has(outcome)) resolved(latest([lastUpdated, asOf]), false);
      break;
    }
    case 'AllergyIntolerance': {
      const onset = date(r, 'onsetDateTime') ?? date(r, 'onsetPeriod', 'start');
      present(onset);
      present(date(r, 'lastOccurrence'));
      const status = conceptCode(r.clinicalStatus);
      if (status && PRESENT_STATUS.has(status)) present(statusAsOf(date(r, 'recordedDate'), onset));
      else if (status && RESOLVED_STATUS.has(status)) resolved(latest([lastUpdated, asOf]), false);
      break;
    }
    default: {
      // A toxicity grade observation: grade 0 means gone by that day; any other finding means present that day.
      const observed = date(r, 'effectiveDateTime') ?? date(r, 'effectivePeriod', 'start') ?? date(r, 'issued');
      if (grade === 0) resolved(observed, false);
      else present(observed);
    }
  }
  return { assertions, abatement };
}

function normalisedName(title: string): string {
  return title
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/toxicity assessment|ctcae\s*v?[\d.]*|grade\s*[0-5]/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function toSideEffectRecord(record: StoredRecord, asOf: string | null): SideEffectRecord | null {
  const r = asObject(record.resource);
  const type = resourceTypeOf(r);
  if (!r || !type || withdrawn(r, type)) return null;
  const fields = extractBinderFields(r);
  const grade = gradeOf(r, type, fields);
  const { assertions, abatement } = assertionsOf(r, type, grade, asOf);
  const name = normalisedName(fields.title);
  return {
    record,
    r,
    type,
    fields,
    firstNoted: fields.date,
    keys: [...fields.codes.filter((code) => code.system).map((code) => `code:${code.system ?? ''}|${code.code}`), ...(name ? [`name:${name}`] : [])],
    assertions,
    abatement,
    grade,
    statusDate: latest([date(r, 'meta', 'lastUpdated'), date(r, 'recordedDate'), fields.date]),
    stillPresent: abatement === null && PRESENT_STATUS.has(conceptCode(type === 'AdverseEvent' ? r.outcome : r.clinicalStatus) ?? ''),
  };
}

/**
 * Splits records of one side effect (they share a code or a name) into episodes: a record joins the
 * episode before it while that one is still open (reported active, no abatement) or was last seen at
 * most SAME_EPISODE_DAYS earlier; records without a date join the first episode.
 */
function episodes(sameSideEffect: readonly SideEffectRecord[]): SideEffectRecord[][] {
  const ordered = [...sameSideEffect].sort((a, b) => (a.firstNoted ?? '').localeCompare(b.firstNoted ?? ''));
  const out: Array<{ records: SideEffectRecord[]; lastSeen: string | null; open: boolean }> = [];
  for (const item of ordered) {
    const current = out.at(-1);
    const gap = current?.lastSeen && item.firstNoted ? daysBetween(current.lastSeen, item.firstNoted) : null;
    if (current && (current.open || gap === null || gap <= SAME_EPISODE_DAYS)) {
      current.records.push(item);
      current.lastSeen = latest([current.lastSeen, item.firstNoted, item.abatement]);
      current.open ||= item.stillPresent;
    } else {
      out.push({ records: [item], lastSeen: latest([item.firstNoted, item.abatement]), open: item.stillPresent });
    }
  }
  return out.map((episode) => episode.records);
}

export function summariseSideEffects(
  records: readonly StoredRecord[],
  candidates: readonly TreatmentCandidate[],
  index: RecordIndex,
  options: SideEffectOptions = {},
): SideEffectSummary[] {
  const asOf = fhirDate(options.asOf);
  const items = records
    .filter((record) => record.categories.includes(SIDE_EFFECTS_CATEGORY))
    .map((record) => toSideEffectRecord(record, asOf))
    .filter((item): item is SideEffectRecord => item !== null);
  // Rule: the same side effect from two portals is one line; the same code or name months apart is another episode.
  const sets = new UnionFind(items.length);
  sets.unionByKeys(items.map((item) => item.keys));
  const inputOrder = new Map(items.map((item, position) => [item, position]));
  return sets
    .groups()
    .flatMap((indexes) => episodes(indexes.map((position) => items[position]).filter((item): item is SideEffectRecord => item !== undefined)))
    .map((episode) => summariseEpisode([...episode].sort((a, b) => (inputOrder.get(a) ?? 0) - (inputOrder.get(b) ?? 0)), candidates, index))
    .sort((a, b) => (a.firstNoted ?? '9999').localeCompare(b.firstNoted ?? '9999'));
}

// Which record names the side effect best: a diagnosis, then an adverse event, then a graded observation.
const WHAT_PREFERENCE: Record<string, number> = { Condition: 0, AdverseEvent: 1, Observation: 2, AllergyIntolerance: 3 };

function summariseEpisode(items: SideEffectRecord[], candidates: readonly TreatmentCandidate[], index: RecordIndex): SideEffectSummary {
  const firstNoted = earliest(items.map((item) => item.firstNoted));
  const { linked, linkedBy } = linkTreatments(items, candidates, index, firstNoted);
  const primary = [...items].sort((a, b) => (WHAT_PREFERENCE[a.type] ?? 9) - (WHAT_PREFERENCE[b.type] ?? 9))[0];
  const withStatus = items.filter((item) => item.type !== 'Observation' && item.fields.status);
  const latestStatus = withStatus.reduce<SideEffectRecord | null>(
    (best, item) => (best === null || (item.statusDate ?? '') > (best.statusDate ?? '') ? item : best),
    null,
  );
  const grades = items.map((item) => item.grade).filter((grade): grade is number => grade !== null);
  return {
    what: primary?.fields.title ?? 'Side effect',
    grade: grades.length > 0 ? String(Math.max(...grades)) : null,
    firstNoted,
    linkedTreatments: linked,
    linkedBy,
    // Rule: the patient's own answer ("did it continue after treatment?", on an entry they made) is
    // what they lived through; it stands over what the records' dates suggest.
    continuedAfterTreatment:
      statedByPatient(items) ??
      continuation(
        items.flatMap((item) => item.assertions),
        linked,
      ),
    abatement: latest(items.map((item) => item.abatement)),
    clinicalStatus: latestStatus?.fields.status ?? null,
    sources: mergeSources(items.map((item) => item.record.sources)),
    recordIds: items.map((item) => item.record.id),
  };
}

/** The latest answer the patient gave on their own entries of this side effect, if any. */
function statedByPatient(items: readonly SideEffectRecord[]): Continuation | null {
  const stated = items
    .map((item) => ({ answer: statedContinuation(item.r), date: item.statusDate ?? '' }))
    .filter((each): each is { answer: boolean; date: string } => each.answer !== null)
    .sort((a, b) => a.date.localeCompare(b.date))
    .at(-1);
  return stated ? (stated.answer ? 'yes' : 'no') : null;
}

// ---------------------------------------------------------------------------------------------
// Linking a side effect to the treatment that caused it

const RADIATION_WORDS = /\b(radiation|radiotherapy|radiodermatitis|irradiation|chemoradiation|chemoradiotherapy|rt|xrt|imrt|sbrt|srs|radiosurgery)\b/i;
const CHEMO_WORDS = /\b(chemo\w*|antineoplastic|immunotherapy|immune[- ]related|checkpoint inhibitor|cytotoxic|chemoradiation|chemoradiotherapy)\b/i;
// ICD-10-CM codes that name the cause: adverse effects of antineoplastic or hormone-antagonist drugs
// (T45.1X5-, T38.6X5-), chemotherapy-induced neutropenia/pancytopenia (D70.1, D61.810), drug-induced
// polyneuropathy (G62.0); radiation reactions (L58, L59.8), radiation colitis/proctitis/cystitis/pneumonitis.
const CHEMO_CODES = /^(T45\.1X5|T38\.6X5|D70\.1|D61\.81|G62\.0)/i;
const RADIATION_CODES = /^(L58|L59\.8|K52\.0|K62\.7|N30\.4|J70\.[01]|Y84\.2|T66)/i;
const NAMED_CAUSE = /\b(?:due to|secondary to|caused by|induced by|related to)\s+([a-z][a-z0-9 \-/]{2,40})/i;

function texts(item: SideEffectRecord): string[] {
  const r = item.r;
  return [
    item.fields.title,
    ...item.fields.codes.map((code) => code.display ?? ''),
    ...objects(r.bodySite).map((concept) => conceptText(concept) ?? ''),
    ...objects(r.note).map((note) => text(note.text) ?? ''),
    ...objects(r.evidence).flatMap((evidence) => objects(evidence.code).map((concept) => conceptText(concept) ?? '')),
    ...objects(r.reaction).flatMap((reaction) => [
      text(reaction.description) ?? '',
      conceptText(reaction.substance) ?? '',
      ...objects(reaction.manifestation).map((concept) => conceptText(concept) ?? ''),
    ]),
  ].filter((value) => value !== '');
}

// Side words do not tell sites apart on their own ("right" arm vs "right" breast).
const SITE_NOISE = new Set(['left', 'right', 'bilateral', 'structure', 'region', 'entire', 'upper', 'lower', 'with', 'and', 'the', 'boost', 'tumor', 'bed']);

/** Whether the words name the site: every meaningful word of it ("breast" of "Right breast"). */
function siteMentioned(words: string, site: string): boolean {
  const parts = site
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((part) => part.length >= 4 && !SITE_NOISE.has(part));
  return parts.length > 0 && parts.every((part) => mentions(words, part));
}

function mentions(haystack: string, name: string): boolean {
  return name.length >= 4 && new RegExp(`(^|[^a-z])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(haystack);
}

/** Treatments whose dates overlap the onset; else the most recent one that began before it. */
function byTiming(candidates: readonly TreatmentCandidate[], onset: string | null): TreatmentCandidate[] {
  if (!onset) return [];
  const began = candidates.filter((candidate) => {
    const start = candidate.treatment.firstDate;
    return start !== null && dayOf(start) <= dayOf(onset);
  });
  const overlapping = began.filter((candidate) => {
    const last = candidate.treatment.lastDate;
    const sinceLast = last ? daysBetween(last, onset) : null;
    return candidate.treatment.ongoing || sinceLast === null || sinceLast <= DURING_TREATMENT_GRACE_DAYS;
  });
  if (overlapping.length > 0) return overlapping;
  const mostRecent = began.reduce<TreatmentCandidate | null>(
    (best, candidate) => (best === null || compareDates(candidate.treatment.lastDate ?? '', best.treatment.lastDate ?? '') > 0 ? candidate : best),
    null,
  );
  return mostRecent ? [mostRecent] : [];
}

function ofKindByTiming(candidates: readonly TreatmentCandidate[], kind: LinkedTreatment['kind'], onset: string | null): TreatmentCandidate[] {
  const ofKind = candidates.filter((candidate) => candidate.treatment.kind === kind);
  // The words name the kind of treatment; without a date, every treatment of that kind is a suspect.
  return onset ? byTiming(ofKind, onset) : ofKind;
}

/** The records a side effect names as its cause: AdverseEvent.suspectEntity, Condition.evidence.detail. */
function explicitCauses(item: SideEffectRecord): JsonObject[] {
  return [
    ...objects(item.r.suspectEntity).flatMap((suspect) => objects(suspect.instance)),
    ...objects(item.r.evidence).flatMap((evidence) => objects(evidence.detail)),
  ];
}

function linkTreatments(
  items: readonly SideEffectRecord[],
  candidates: readonly TreatmentCandidate[],
  index: RecordIndex,
  onset: string | null,
): { linked: LinkedTreatment[]; linkedBy: SideEffectSummary['linkedBy'] } {
  const found = new Map<string, LinkedTreatment>();
  const add = (treatment: LinkedTreatment): void => {
    const key = `${treatment.kind}:${treatment.name.toLowerCase()}`;
    if (!found.has(key)) found.set(key, treatment);
  };

  // 1. The record names the cause: a suspect entity or evidence reference, or the allergy's substance.
  for (const item of items) {
    for (const cause of explicitCauses(item)) {
      const target = index.find(referenceKey(cause.reference), item.record);
      const candidate = target ? candidates.find((each) => each.recordIds.has(target.id)) : undefined;
      if (candidate) add(candidate.treatment);
      else if (target) add(otherTreatment(extractBinderFields(target.resource)));
      else {
        const display = text(cause.display);
        // Named in words only (the patient's "paclitaxel"): the treatment of that name when the binder holds it.
        const named = display ? candidates.filter((candidate) => candidate.names.some((name) => mentions(display.toLowerCase(), name))) : [];
        for (const candidate of named) add(candidate.treatment);
        if (display && named.length === 0) add({ kind: 'other', name: display, firstDate: null, lastDate: null, ongoing: false });
      }
    }
    if (item.type === 'AllergyIntolerance') {
      const substanceKeys = [item.r.code, ...objects(item.r.reaction).map((reaction) => reaction.substance)].flatMap((concept) => medicineIdentity(concept).keys);
      for (const candidate of candidates) if (candidate.keys.some((key) => substanceKeys.includes(key))) add(candidate.treatment);
    }
  }
  if (found.size > 0) return { linked: [...found.values()], linkedBy: 'record' };

  // 2. The words name it: a medicine by name, radiation, chemotherapy, or a cause we do not hold.
  const words = items.flatMap(texts).join(' \n ').toLowerCase();
  const codes = items.flatMap((item) => item.fields.codes.map((code) => code.code));
  for (const candidate of candidates) if (candidate.names.some((name) => mentions(words, name))) add(candidate.treatment);
  if (RADIATION_WORDS.test(words) || codes.some((code) => RADIATION_CODES.test(code))) {
    // Rule: a radiation side effect belongs to the course given where it is (its body site or words name
    // the course's site), then to the one its dates fall in.
    const radiation = candidates.filter((candidate) => candidate.treatment.kind === 'radiation');
    const atSite = radiation.filter((candidate) => candidate.site && siteMentioned(words, candidate.site));
    for (const candidate of ofKindByTiming(atSite.length > 0 ? atSite : radiation, 'radiation', onset)) add(candidate.treatment);
  }
  if (CHEMO_WORDS.test(words) || codes.some((code) => CHEMO_CODES.test(code))) {
    for (const candidate of ofKindByTiming(candidates, 'medicine', onset)) add(candidate.treatment);
  }
  if (found.size === 0) {
    const named = NAMED_CAUSE.exec(words)?.[1]?.trim();
    if (named) add({ kind: 'other', name: named, firstDate: null, lastDate: null, ongoing: false });
  }
  if (found.size > 0) return { linked: [...found.values()], linkedBy: 'text' };

  // 3. Only the dates: the treatment it happened during, or the one just before.
  for (const candidate of byTiming(candidates, onset)) add(candidate.treatment);
  return { linked: [...found.values()], linkedBy: found.size > 0 ? 'timing' : null };
}

function otherTreatment(fields: BinderFields): LinkedTreatment {
  return { kind: 'other', name: fields.title, firstDate: fields.date, lastDate: fields.endDate ?? fields.date, ongoing: false };
}

// ---------------------------------------------------------------------------------------------
// Did it continue after the treatment ended?

/**
 * Rules, against the last date of the linked treatment(s):
 * - treatment still going: "no" if it had resolved by the latest report, else "unknown";
 * - present (active, recurring, graded > 0, or first noted) after the last date → "yes";
 * - abated (a recorded resolution date) after the last date → "yes": it continued for a while;
 * - abated, or known resolved, on or before the last date → "no";
 * - otherwise (no linked dates, no status information) → "unknown".
 */
function continuation(assertions: readonly Assertion[], linked: readonly LinkedTreatment[]): Continuation {
  const ordered = [...assertions].sort((a, b) => dayOf(a.date).localeCompare(dayOf(b.date)));
  // A treatment still going on (a daily pill has no last date) has no "after" yet.
  if (linked.some((treatment) => treatment.ongoing)) {
    return ordered.at(-1)?.state === 'resolved' ? 'no' : 'unknown';
  }
  const lastDate = latest(linked.map((treatment) => treatment.lastDate));
  if (!lastDate) return 'unknown';
  const last = dayOf(lastDate);
  if (ordered.some((assertion) => assertion.state === 'present' && dayOf(assertion.date) > last)) return 'yes';
  const exactResolution = ordered.filter((assertion) => assertion.state === 'resolved' && assertion.exact).at(-1);
  if (exactResolution) return dayOf(exactResolution.date) > last ? 'yes' : 'no';
  if (ordered.some((assertion) => assertion.state === 'resolved' && dayOf(assertion.date) <= last)) return 'no';
  return 'unknown';
}
