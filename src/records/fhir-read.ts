// Safe readers for FHIR JSON that came from a hospital portal: the one place that reads FHIR
// shapes, used by the binder fields, the treatment summary and (for objects and JsonObject) the
// classifier.
// Portal data is untrusted: every reader takes `unknown` and answers null or an empty list for a
// missing field or a wrong type, so the record-understanding functions never throw on odd shapes.

/** A JSON object read from portal data. Read-only: readers never change what a portal sent. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

const NO_OBJECTS: readonly JsonObject[] = Object.freeze([]);

/**
 * The objects in a FHIR list, read leniently: a lone object where a list belongs is a list of one,
 * non-objects are skipped, and one level of accidental nesting (`[[{…}]]`) is flattened.
 */
export function objects(value: unknown): readonly JsonObject[] {
  // The common shapes answer without a new array (a hot path of every sync and every filing).
  if (value === undefined || value === null) return NO_OBJECTS;
  if (isObject(value)) return [value];
  if (!Array.isArray(value)) return NO_OBJECTS;
  if (value.every(isObject)) return value;
  const out: JsonObject[] = [];
  for (const item of value as unknown[]) {
    if (isObject(item)) out.push(item);
    else if (Array.isArray(item)) for (const inner of item as unknown[]) if (isObject(inner)) out.push(inner);
  }
  return out;
}

/** Walks object keys and list indexes; any wrong shape on the way gives undefined. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current: unknown = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      const object = asObject(current);
      if (!object) return undefined;
      current = object[step];
    }
  }
  return current;
}

/** A trimmed, non-empty string (whitespace collapsed), else null. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  // Most portal strings are already clean; this is one of the hottest readers in a sync.
  if (isCleanText(value)) return value;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? null : trimmed;
}

/** Words separated by single plain spaces: what `\s+ → ' '` and trim would leave alone. */
const CLEAN_TEXT = /^\S+(?: \S+)*$/;

function isCleanText(value: string): boolean {
  return CLEAN_TEXT.test(value);
}

/** A finite number; numeric strings are accepted because some portals send "5.2". */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

export function uniqueStrings(values: Iterable<string | null | undefined>): string[] {
  const seen = new Set<string>();
  for (const value of values) if (value) seen.add(value);
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// Codes

export interface BinderCode {
  system: string | null;
  code: string;
  display?: string;
}

export function codings(concept: unknown): BinderCode[] {
  const out: BinderCode[] = [];
  for (const coding of objects(at(concept, 'coding'))) {
    const code = text(coding.code);
    if (!code) continue;
    const display = text(coding.display);
    const entry: BinderCode = { system: text(coding.system), code };
    if (display) entry.display = display;
    out.push(entry);
  }
  return out;
}

// SNOMED CT displays end in a semantic tag such as "(disorder)"; patients should not see it.
const SEMANTIC_TAG =
  /\s*\((?:disorder|finding|procedure|qualifier value|body structure|substance|observable entity|regime\/therapy|situation|event|morphologic abnormality|physical object|record artifact|product|medicinal product|medicinal product form|clinical drug|specimen|environment|attribute|navigational concept|occupation|person|organism)\)\s*$/i;

/** A label fit for a patient: whitespace collapsed and the SNOMED semantic tag removed. */
export function cleanLabel(value: unknown): string | null {
  const label = text(value);
  if (!label) return null;
  return text(label.replace(SEMANTIC_TAG, ''));
}

/** CodeableConcept text, else the first coding display. */
export function conceptText(concept: unknown): string | null {
  const own = cleanLabel(at(concept, 'text'));
  if (own) return own;
  for (const coding of objects(at(concept, 'coding'))) {
    const display = cleanLabel(coding.display);
    if (display) return display;
  }
  return null;
}

/** The code of a CodeableConcept's first coding that has one (status-like concepts), else its text. */
export function conceptCode(concept: unknown): string | null {
  for (const coding of objects(at(concept, 'coding'))) {
    const code = text(coding.code);
    if (code) return code;
  }
  return text(at(concept, 'text'));
}

/** "entered-in-error" → "entered in error", "resolvedWithSequelae" → "resolved with sequelae". */
export function codeInWords(code: string): string {
  return code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase()
    .trim();
}

/** "DiagnosticReport" → "Diagnostic report". */
export function typeInWords(resourceType: string): string {
  const words = codeInWords(resourceType);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Dates

const FHIR_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** A FHIR date, dateTime or instant, returned as written (keeping its precision and zone), else null. */
export function fhirDate(value: unknown): string | null {
  const candidate = text(value);
  if (!candidate || !FHIR_DATE.test(candidate)) return null;
  // The pattern allows 31 days in every month; the calendar does not ("2023-02-30").
  if (candidate.length >= 10 && !isCalendarDay(candidate)) return null;
  return candidate;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether "YYYY-MM-DD…" (digits already checked) names a real day of the Gregorian calendar. */
function isCalendarDay(date: string): boolean {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

// Portals mostly send UTC instants; those are read without Date (a hot path of every sync).
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?Z$/;
const FULL_UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(\d{1,3}))?Z$/;
const FULL_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * FHIR dates may be partial ("2024", "2024-03") or carry no zone; for sorting and filtering
 * they become the first instant they could mean (UTC when no zone is given), as an ISO string.
 * Hand-written because Date.parse and date libraries read "2024-03" as a local or UTC midnight
 * inconsistently and reject FHIR's leap-second and precision rules; the grammar is the spec's regex.
 */
export function instantOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const utc = FULL_UTC_INSTANT.exec(value);
  if (utc && isCalendarDay(value)) return `${value.slice(0, 19)}.${(utc[1] ?? '').padEnd(3, '0')}Z`;
  if (FULL_DAY.test(value) && isCalendarDay(value)) return `${value}T00:00:00.000Z`;
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value.trim());
  if (!match) return null;
  const [, year, month = '01', day = '01', time, zone] = match;
  const iso = time ? `${year}-${month}-${day}${time}${zone ? '' : 'Z'}` : `${year}-${month}-${day}T00:00:00Z`;
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** The calendar day the record states ("2023-05-08T22:14:00-05:00" → "2023-05-08"); partial dates stay partial. */
export function dayOf(date: string): string {
  return date.slice(0, 10);
}

/** The UTC minute of a dateTime that carries a time and zone, else null (date-only values have no instant). */
export function utcMinute(date: string): string | null {
  if (UTC_INSTANT.test(date) && isCalendarDay(date)) return date.slice(0, 16);
  if (!/T\d{2}:\d{2}.*(Z|[+-]\d{2}:\d{2})$/.test(date)) return null;
  const instant = new Date(date);
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString().slice(0, 16);
}

/** Day-level comparison; partial dates compare by their prefix, which is right for "2023-05" vs "2023-06-01". */
export function compareDays(a: string, b: string): number {
  const dayA = dayOf(a);
  const dayB = dayOf(b);
  return dayA < dayB ? -1 : dayA > dayB ? 1 : 0;
}

/** By calendar day first, then, within one day, by the instant when both carry a time. */
export function compareDates(a: string, b: string): number {
  const byDay = compareDays(a, b);
  if (byDay !== 0) return byDay;
  const instantA = utcMinute(a) ? Date.parse(a) : Number.NaN;
  const instantB = utcMinute(b) ? Date.parse(b) : Number.NaN;
  return Number.isNaN(instantA) || Number.isNaN(instantB) ? 0 : Math.sign(instantA - instantB);
}

export function earliest(dates: Iterable<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const date of dates) if (date && (best === null || compareDates(date, best) < 0)) best = date;
  return best;
}

export function latest(dates: Iterable<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const date of dates) if (date && (best === null || compareDates(date, best) > 0)) best = date;
  return best;
}

/** Whole days from a to b (by calendar day), or null when either is not a full date. */
export function daysBetween(a: string, b: string): number | null {
  const dayA = dayOf(a);
  const dayB = dayOf(b);
  if (dayA.length !== 10 || dayB.length !== 10) return null;
  return Math.round((Date.parse(`${dayB}T00:00:00Z`) - Date.parse(`${dayA}T00:00:00Z`)) / 86_400_000);
}

// ---------------------------------------------------------------------------------------------
// References

export type ParsedReference =
  | { kind: 'relative'; resourceType: string; id: string }
  | { kind: 'absolute'; resourceType: string; id: string; url: string }
  | { kind: 'contained'; id: string }
  | { kind: 'urn'; value: string };

const FHIR_ID = '[A-Za-z0-9\\-.]{1,64}';
const RELATIVE_REFERENCE = new RegExp(`^([A-Z][A-Za-z]+)/(${FHIR_ID})(?:/_history/[^/]+)?$`);
const ABSOLUTE_REFERENCE = new RegExp(`^https?://[^?#]+/([A-Z][A-Za-z]+)/(${FHIR_ID})(?:/_history/[^/?#]+)?$`);

/**
 * Reads a reference string. Conditional references ("Practitioner?identifier=…") and anything
 * else that does not name one resource give null: the sync cannot fetch them.
 */
export function parseReference(value: unknown): ParsedReference | null {
  const reference = text(value);
  if (!reference) return null;
  if (reference.startsWith('#')) return reference.length > 1 ? { kind: 'contained', id: reference.slice(1) } : null;
  if (/^urn:(uuid|oid):/i.test(reference)) return { kind: 'urn', value: reference.replace(/^urn:(uuid|oid):/i, '') };
  const relative = RELATIVE_REFERENCE.exec(reference);
  if (relative?.[1] && relative[2]) return { kind: 'relative', resourceType: relative[1], id: relative[2] };
  const absolute = ABSOLUTE_REFERENCE.exec(reference);
  if (absolute?.[1] && absolute[2]) return { kind: 'absolute', resourceType: absolute[1], id: absolute[2], url: reference };
  return null;
}

/** "Type/id" for a reference that names one resource, else null. */
export function referenceKey(value: unknown): string | null {
  const parsed = parseReference(value);
  return parsed && (parsed.kind === 'relative' || parsed.kind === 'absolute') ? `${parsed.resourceType}/${parsed.id}` : null;
}

export function resourceTypeOf(resource: unknown): string | null {
  const type = text(at(resource, 'resourceType'));
  return type && /^[A-Z][A-Za-z]+$/.test(type) ? type : null;
}
