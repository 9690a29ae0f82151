// The classifier's readers over untrusted FHIR JSON: lower-cased words and codes to match rules
// against (the binder's patient-facing labels are read by ../fhir-read.ts). Portals send missing
// fields, wrong types and arrays where one object is expected; every reader here accepts `unknown`
// and answers with an empty value instead of throwing, so rules can stay simple.

import { isObject, objects, type JsonObject } from '../fhir-read.js';
import { systemKeyOf, type SystemKey } from './codes/systems.js';

export interface Coding {
  readonly system: SystemKey;
  /** Trimmed code as sent (case preserved). */
  readonly code: string;
  /** Lower-cased display, '' when absent. */
  readonly display: string;
}

export function field(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function lower(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

/** A list from a FHIR array, a lone object sent where an array belongs, or nothing. */
export function list(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

function toCoding(raw: JsonObject): Coding | undefined {
  const code = typeof raw.code === 'string' ? raw.code.trim() : typeof raw.code === 'number' ? String(raw.code) : '';
  const display = lower(raw.display);
  if (code === '' && display === '') return undefined;
  return { system: systemKeyOf(str(raw.system)), code, display };
}

/**
 * Codings of one or more CodeableConcepts (or of bare Codings sent in their place).
 */
export function codingsOf(concepts: unknown): Coding[] {
  const out: Coding[] = [];
  for (const concept of objects(concepts)) {
    const codings = objects(concept.coding);
    if (codings.length === 0 && (typeof concept.code === 'string' || typeof concept.system === 'string')) {
      const bare = toCoding(concept);
      if (bare) out.push(bare);
      continue;
    }
    for (const raw of codings) {
      const coding = toCoding(raw);
      if (coding) out.push(coding);
    }
  }
  return out;
}

/** Lower-cased `text` and coding displays of one or more CodeableConcepts, joined: words to match rules against. */
export function conceptMatchText(concepts: unknown): string {
  const parts: string[] = [];
  for (const concept of objects(concepts)) {
    const text = lower(concept.text);
    if (text) parts.push(text);
    const display = lower(concept.display);
    if (display) parts.push(display);
    for (const coding of objects(concept.coding)) {
      const codingDisplay = lower(coding.display);
      if (codingDisplay) parts.push(codingDisplay);
    }
  }
  if (typeof concepts === 'string') parts.push(concepts.toLowerCase());
  if (parts.length <= 1) return parts[0] ?? '';
  // Text and display are often the same words: match each distinct part once.
  return parts.filter((part, i) => parts.indexOf(part) === i).join(' | ');
}

export function hasCode(codings: readonly Coding[], system: SystemKey, codes: ReadonlySet<string>): boolean {
  return codings.some((c) => c.system === system && codes.has(c.code));
}

export function codesOf(codings: readonly Coding[], system: SystemKey): string[] {
  return codings.filter((c) => c.system === system).map((c) => c.code);
}

/** Codes of a simple status-like CodeableConcept (e.g. verificationStatus), lower-cased. */
export function statusCodes(concept: unknown): string[] {
  const out = codingsOf(concept).map((c) => c.code.toLowerCase());
  const text = lower(field(concept, 'text'));
  if (text) out.push(text);
  return out;
}

/** Lower-cased texts of `note[].text`. */
export function notesText(notes: unknown): string {
  return objects(notes)
    .map((n) => lower(n.text))
    .filter(Boolean)
    .join(' | ');
}

/** Lower-cased `display` of one or more References. */
export function referenceDisplays(refs: unknown): string {
  return objects(refs)
    .map((r) => lower(r.display))
    .filter(Boolean)
    .join(' | ');
}

/** Profile URLs from `meta.profile`. */
export function profilesOf(resource: JsonObject): string[] {
  return list(field(resource.meta, 'profile')).filter((p): p is string => typeof p === 'string');
}

/** URLs of top-level extensions. */
export function extensionUrls(resource: JsonObject): string[] {
  return objects(resource.extension)
    .map((e) => str(e.url))
    .filter(Boolean);
}

export function joinText(...parts: readonly string[]): string {
  return parts.filter(Boolean).join(' | ');
}

/** Longest narrative read as a last resort, so a huge div costs little. */
const NARRATIVE_MAX_CHARS = 600;

/** Lower-cased plain text of `text.div` (tags and entities dropped), for records with no code. */
export function narrativeText(resource: JsonObject): string {
  const div = str(field(resource.text, 'div')).slice(0, NARRATIVE_MAX_CHARS * 4);
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, NARRATIVE_MAX_CHARS)
    .toLowerCase();
}
