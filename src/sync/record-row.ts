// A validated resource becomes one storage row: the raw resource, a content hash that lets
// re-syncs skip unchanged rows, and what the binder shows (title, dates, status, codes,
// values, categories, duplicate keys). Pure.
import { hash } from 'node:crypto';
import { classify, CLASSIFIER_RULES_VERSION } from '../records/classify/index.js';
import { duplicateKeys } from '../records/duplicates.js';
import { extractBinderFields, type BinderFields } from '../records/binder-fields.js';
import { instantOrNull } from '../records/fhir-read.js';
import type { FhirResource } from './validate.js';

export interface RecordRow {
  resourceType: string;
  resourceId: string;
  versionId: string | null;
  lastUpdated: string | null;
  /** SHA-256 of `json`, base64. */
  contentHash: string;
  json: string;
  title: string;
  effectiveAt: string | null;
  dateText: string | null;
  endDateText: string | null;
  status: string | null;
  codes: string[];
  categories: string[];
  rulesVersion: string;
  binder: string;
  duplicateKeys: string[];
  /** Not stored: what the sync fetches next. */
  fields: BinderFields;
}

export function contentHashOf(json: string): string {
  // One-shot and straight to text: a Buffer per resource is measurable at 100k resources.
  return hash('sha256', json, 'base64');
}

/** Where a record comes from: its portal (or upload) id and how its attachment URLs resolve. */
export interface RecordSource {
  readonly portalId: string;
  /** From sourceUrlResolver(the source's FHIR base); without one, attachments get no sourceUrl. */
  readonly resolveAttachment?: (url: string) => string | null;
}

/**
 * `json` is the resource as serialised once by validation (hashed and stored as is). A bare portal
 * id is a source without URL rules (records whose attachments are inline or never fetched).
 */
export function toRecordRow(resource: FhirResource, source: RecordSource | string, json = JSON.stringify(resource), contentHash = contentHashOf(json)): RecordRow {
  const fields = extractBinderFields(resource);
  const { portalId, resolveAttachment }: RecordSource = typeof source === 'string' ? { portalId: source } : source;
  if (resolveAttachment) {
    for (const document of fields.documents) {
      if (!document.url || document.embedded) continue;
      const sourceUrl = resolveAttachment(document.url);
      if (sourceUrl !== null) document.sourceUrl = sourceUrl;
    }
  }
  const categories = classify(resource);
  return {
    resourceType: resource.resourceType,
    resourceId: resource.id,
    versionId: typeof resource.meta?.versionId === 'string' ? resource.meta.versionId : null,
    lastUpdated: instantOrNull(resource.meta?.lastUpdated),
    contentHash,
    json,
    title: fields.title.slice(0, 500),
    effectiveAt: instantOrNull(fields.date),
    dateText: fields.date,
    endDateText: fields.endDate,
    status: fields.status,
    codes: fields.codes.map((c) => `${c.system ?? ''}|${c.code}`).slice(0, 50),
    categories,
    rulesVersion: CLASSIFIER_RULES_VERSION,
    binder: JSON.stringify(binderView(fields)),
    duplicateKeys: duplicateKeys(resource, fields, { portalIds: [portalId], categories }),
    fields,
  };
}

/** The precomputed part of an API item. */
export function binderView(fields: BinderFields): Record<string, unknown> {
  return {
    ...(fields.value ? { value: fields.value } : {}),
    ...(fields.dose ? { dose: fields.dose } : {}),
    ...(fields.documents.length ? { documents: fields.documents } : {}),
    ...(fields.study ? { study: fields.study } : {}),
    ...(fields.conclusion ? { conclusion: fields.conclusion } : {}),
  };
}
