// Safe readers for FHIR JSON that came from a hospital portal.
// Portal data is untrusted: every reader takes `unknown` and answers null or an empty list for a
// missing field or a wrong type, so the record-understanding functions never throw on odd shapes.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** The objects in a FHIR list. A lone object where a list belongs is read as a list of one (lenient). */
export function objects(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.map(asObject).filter((item): item is JsonObject => item !== null);
  const single = asObject(value);
  return single ? [single] : [];
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
  if (typeof value !== 'string') return null;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? null : trimmed;
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
    out.push({ system: text(coding.system), code, ...(display ? { display } : {}) });
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
  const day = candidate.slice(0, 10);
  if (day.length === 10 && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return null;
  return candidate;
}

/** The calendar day the record states ("2023-05-08T22:14:00-05:00" → "2023-05-08"); partial dates stay partial. */
export function dayOf(date: string): string {
  return date.slice(0, 10);
}

/** The UTC minute of a dateTime that carries a time and zone, else null (date-only values have no instant). */
export function utcMinute(date: string): string | null {
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
