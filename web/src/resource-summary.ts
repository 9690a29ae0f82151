// A readable summary of any FHIR resource: the few fields a patient recognises, in words.
// Pure: unit-tested in Node.
import { formatDate, formatDateRange, formatQuantity, humanize } from './format.js';

type Json = Record<string, unknown>;

const obj = (value: unknown): Json | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The words of a CodeableConcept: its text, else the first display. */
export function conceptText(value: unknown): string | null {
  const concept = obj(value);
  if (!concept) return null;
  const text = str(concept.text);
  if (text) return text;
  for (const coding of arr(concept.coding)) {
    const display = str(obj(coding)?.display);
    if (display) return display;
  }
  for (const coding of arr(concept.coding)) {
    const code = str(obj(coding)?.code);
    if (code) return code;
  }
  return null;
}

function conceptsText(value: unknown): string | null {
  const words = arr(value)
    .map(conceptText)
    .filter((w): w is string => w !== null);
  return words.length ? [...new Set(words)].join(', ') : null;
}

function quantityText(value: unknown, locale?: string): string | null {
  const q = obj(value);
  if (!q) return null;
  const amount = typeof q.value === 'number' ? q.value : null;
  if (amount === null) return null;
  const comparator = str(q.comparator);
  const text = formatQuantity(amount, str(q.unit) ?? str(q.code), locale);
  return comparator ? `${comparator} ${text}` : text;
}

function periodText(value: unknown, locale?: string): string | null {
  const p = obj(value);
  if (!p) return null;
  return formatDateRange(str(p.start), str(p.end), locale) || null;
}

function whenText(r: Json, locale?: string): string | null {
  for (const key of ['effectiveDateTime', 'occurrenceDateTime', 'performedDateTime', 'onsetDateTime', 'authoredOn', 'recordedDate', 'date', 'issued', 'created']) {
    const value = str(r[key]);
    if (value) return formatDate(value, locale);
  }
  for (const key of ['effectivePeriod', 'performedPeriod', 'period', 'onsetPeriod']) {
    const text = periodText(r[key], locale);
    if (text) return text;
  }
  return null;
}

function valueText(r: Json, locale?: string): string | null {
  const quantity = quantityText(r.valueQuantity, locale);
  if (quantity) return quantity;
  const concept = conceptText(r.valueCodeableConcept);
  if (concept) return concept;
  if (typeof r.valueString === 'string') return r.valueString;
  if (typeof r.valueBoolean === 'boolean') return r.valueBoolean ? 'Yes' : 'No';
  if (typeof r.valueInteger === 'number') return String(r.valueInteger);
  return null;
}

function statusText(r: Json): string | null {
  const status = str(r.status);
  if (status) return humanize(status);
  const clinical = conceptText(r.clinicalStatus);
  return clinical ? humanize(clinical) : null;
}

/** Label–value pairs for the detail view, in a fixed order, skipping what the resource does not say. */
export function resourceSummary(resource: unknown, locale?: string): Array<{ label: string; value: string }> {
  const r = obj(resource);
  if (!r) return [];
  const type = str(r.resourceType);
  const rows: Array<{ label: string; value: string | null }> = [
    { label: 'Kind of record', value: type ? humanize(type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()) : null },
    { label: 'What', value: conceptText(r.code) ?? conceptText(r.vaccineCode) ?? conceptText(r.medicationCodeableConcept) ?? conceptText(r.type) ?? str(r.description) ?? str(r.title) },
    { label: 'Category', value: conceptsText(r.category) },
    { label: 'When', value: whenText(r, locale) },
    { label: 'Status', value: statusText(r) },
    { label: 'Result', value: valueText(r, locale) },
    { label: 'Conclusion', value: str(r.conclusion) },
    { label: 'Body site', value: conceptsText(r.bodySite) },
    { label: 'Reason', value: conceptsText(r.reasonCode) },
    { label: 'Dosage', value: str(obj(arr(r.dosageInstruction)[0])?.text) ?? str(obj(r.dosage)?.text) },
    { label: 'Note', value: arr(r.note).map((n) => str(obj(n)?.text)).filter(Boolean).join(' ') || null },
  ];
  return rows.filter((row): row is { label: string; value: string } => row.value !== null && row.value !== '');
}

/** The resource's narrative XHTML (text.div), unsanitised: the caller must sanitise it before use. */
export function narrativeOf(resource: unknown): string | null {
  return str(obj(obj(resource)?.text)?.div);
}

interface AttachmentLike {
  url?: unknown;
  title?: unknown;
}

/**
 * A document's heading, read from its record: the title of the attachment at `src` (or the only
 * titled one), else the record's own description or type. Never from the address bar.
 */
export function documentTitleFrom(resource: Record<string, unknown>, src: string | null): string | null {
  const attachments: AttachmentLike[] = [];
  const content = resource.content;
  if (Array.isArray(content)) for (const entry of content as Array<{ attachment?: AttachmentLike }>) if (entry?.attachment) attachments.push(entry.attachment);
  const presented = resource.presentedForm;
  if (Array.isArray(presented)) attachments.push(...(presented as AttachmentLike[]));
  const titled = attachments.filter((a): a is { url?: unknown; title: string } => typeof a?.title === 'string' && a.title.trim() !== '');
  const match = src ? titled.find((a) => a.url === src) : undefined;
  if (match) return match.title.trim();
  if (titled.length === 1) return titled[0].title.trim();
  const text = (value: unknown): string | null => {
    if (!value || typeof value !== 'object') return null;
    const v = value as { text?: unknown; coding?: Array<{ display?: unknown }> };
    if (typeof v.text === 'string' && v.text.trim()) return v.text.trim();
    const display = v.coding?.find((c) => typeof c?.display === 'string')?.display;
    return typeof display === 'string' ? display : null;
  };
  if (typeof resource.description === 'string' && resource.description.trim()) return resource.description.trim();
  return text(resource.type) ?? text(resource.code);
}
