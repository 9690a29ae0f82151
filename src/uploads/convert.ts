// An upload's bytes become FHIR resources and documents: the same shapes a portal serves, so
// they are validated, filed and shown like any record. Pure (PDF text extraction aside, which is
// passed in already read).
import { createHash } from 'node:crypto';
import { classify } from '../records/classify/index.js';
import { FILED_BY_PATIENT_SYSTEM, type CategoryId } from '../records/categories.js';
import { referencedPatientIds } from '../records/binder-fields.js';
import { RECORD_ORIGIN_SYSTEM } from '../records/patient-entered.js';
import type { FhirResource } from '../sync/validate.js';
import { MalformedFileError, type UploadKind } from './sniff.js';

/** meta.tag system marking everything carebinder filed from an upload. */
export const UPLOADED_TAG_SYSTEM = RECORD_ORIGIN_SYSTEM;

/** The tag every resource filed from an upload carries. */
export function uploadedTag(fileName: string): { system: string; code: string; display: string } {
  return { system: UPLOADED_TAG_SYSTEM, code: 'uploaded', display: `Uploaded: ${fileName}`.slice(0, 200) };
}

export interface UploadMeta {
  uploadId: string;
  fileName: string;
  kind: UploadKind;
  contentType: string;
  /** The category the patient chose, if any. */
  category: CategoryId | null;
  title: string | null;
  /** The document's date as the patient gave it (YYYY, YYYY-MM or YYYY-MM-DD). */
  date: string | null;
  uploadedAt: string;
}

export interface UploadedDocument {
  /** The attachment URL as the resource names it ("Binary/…", relative to the upload's base). */
  url: string;
  contentType: string;
  content: Buffer;
}

export interface PatientDetails {
  name: string | null;
  birthDate: string | null;
}

export interface Converted {
  resources: FhirResource[];
  documents: UploadedDocument[];
  warnings: string[];
  /** The patient the upload is about, as it names them (null when it does not say). */
  patient: PatientDetails | null;
  /** The patient id resources must name (the upload's own Patient), or null to take any. */
  patientId: string | null;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

// ---------------------------------------------------------------------------------------------
// FHIR JSON and NDJSON

/** The resources of a FHIR upload: a Bundle's entries (any type of Bundle), one resource, or NDJSON lines. */
export function convertFhir(text: string, kind: 'fhir-json' | 'fhir-ndjson'): Converted {
  const top: unknown[] = kind === 'fhir-ndjson' ? text.split(/\r?\n/).filter((line) => line.trim() !== '').map(parseJson) : [parseJson(text)];
  const warnings: string[] = [];
  const resources: FhirResource[] = [];
  const documents: UploadedDocument[] = [];
  const add = (value: unknown, fullUrl: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      warnings.push('An entry without a resource was skipped.');
      return;
    }
    const resource = { ...(value as Record<string, unknown>) } as FhirResource;
    if (resource.resourceType === 'Bundle') {
      for (const entry of Array.isArray(resource.entry) ? (resource.entry as Array<{ resource?: unknown; fullUrl?: unknown }>) : []) add(entry?.resource, entry?.fullUrl);
      return;
    }
    // A transaction or collection Bundle names its resources by fullUrl (urn:uuid:…) rather than id.
    if (typeof resource.id !== 'string' && typeof fullUrl === 'string') {
      const last = fullUrl.replace(/^urn:(uuid|oid):/, '').split('/').pop() ?? '';
      if (FHIR_ID.test(last)) resource.id = last;
    }
    if (typeof resource.id !== 'string') resource.id = `upload-${resources.length + 1}`;
    // A Binary in the file is the content a DocumentReference's "Binary/<id>" points at.
    if (resource.resourceType === 'Binary') {
      if (typeof resource.data === 'string' && FHIR_ID.test(resource.id)) {
        const contentType = typeof resource.contentType === 'string' ? resource.contentType : 'application/octet-stream';
        documents.push({ url: `Binary/${resource.id}`, contentType, content: Buffer.from(resource.data, 'base64') });
      }
      return;
    }
    resources.push(resource);
  };
  for (const value of top) add(value, undefined);
  if (resources.length === 0) warnings.push('The file holds no FHIR resources.');
  const patients = resources.filter((r) => r.resourceType === 'Patient');
  const patientId = patients[0]?.id ?? mostNamedPatient(resources);
  if (patients.length > 1) warnings.push(`The file holds ${patients.length} patients; records of patients other than the first are not kept.`);
  return { resources, documents, warnings, patient: patients[0] ? fhirPatientDetails(patients[0]) : null, patientId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedFileError(`The JSON is malformed: ${(error as Error).message.slice(0, 200)}`);
  }
}

function mostNamedPatient(resources: readonly FhirResource[]): string | null {
  const counts = new Map<string, number>();
  for (const resource of resources) for (const id of referencedPatientIds(resource)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

export function fhirPatientDetails(patient: Record<string, unknown>): PatientDetails {
  const names = Array.isArray(patient.name) ? (patient.name as Array<{ text?: unknown; given?: unknown; family?: unknown; use?: unknown }>) : [];
  const name = names.find((n) => n?.use === 'official') ?? names.find((n) => n?.use !== 'old') ?? names[0];
  const given = name && Array.isArray(name.given) ? name.given.filter((g): g is string => typeof g === 'string') : [];
  const full = name ? (typeof name.text === 'string' && name.text.trim() ? name.text : [...given, typeof name.family === 'string' ? name.family : ''].join(' ')) : '';
  return { name: full.trim() || null, birthDate: typeof patient.birthDate === 'string' ? patient.birthDate : null };
}

// ---------------------------------------------------------------------------------------------
// PDF, images and text: one DocumentReference with its Binary

/** Document codes (LOINC) that say what a chosen report category is, so the type reads right elsewhere too. */
const CATEGORY_DOCUMENT_CODES: Partial<Record<CategoryId, { code: string; display: string }>> = {
  'pathology-reports': { code: '11526-1', display: 'Pathology study' },
  'imaging-results': { code: '18748-4', display: 'Diagnostic imaging study' },
  'operation-reports': { code: '11504-8', display: 'Surgical operation note' },
  'discharge-summaries': { code: '18842-5', display: 'Discharge summary' },
};

export function convertDocument(bytes: Buffer, meta: UploadMeta, pdfText: string | null): Converted {
  const title = meta.title?.trim() || meta.fileName;
  const category = meta.category ?? proposeCategory(title, pdfText);
  const documentCode = category ? CATEGORY_DOCUMENT_CODES[category] : undefined;
  const tags: Array<Record<string, string>> = [uploadedTag(meta.fileName)];
  if (category) tags.push({ system: FILED_BY_PATIENT_SYSTEM, code: category, display: meta.category ? 'chosen by the patient' : 'proposed from the title and text' });
  const reference: FhirResource = {
    resourceType: 'DocumentReference',
    id: 'document',
    meta: { tag: tags } as FhirResource['meta'],
    status: 'current',
    ...(documentCode ? { type: { coding: [{ system: 'http://loinc.org', ...documentCode }], text: title } } : { type: { text: title } }),
    date: meta.uploadedAt,
    description: title,
    content: [
      {
        attachment: {
          contentType: meta.contentType,
          url: 'Binary/original',
          title: meta.fileName,
          size: bytes.length,
          hash: createHash('sha1').update(bytes).digest('base64'),
          ...(meta.date ? { creation: meta.date } : {}),
        },
      },
    ],
    ...(meta.date ? { context: { period: { start: meta.date } } } : {}),
  };
  const warnings = category ? [] : ['The document was not filed in any category: upload it again with a category to file it.'];
  return { resources: [reference], documents: [{ url: 'Binary/original', contentType: meta.contentType, content: bytes }], warnings, patient: null, patientId: null };
}

/**
 * The classifier's proposal for a document: from its title, else from the first lines of its
 * text, where a report names what it is ("Surgical Pathology Report"). Reading the whole text
 * would file a progress note that mentions a CT as an imaging result.
 */
export function proposeCategory(title: string, text: string | null): CategoryId | null {
  const probe = (description: string) => classify({ resourceType: 'DocumentReference', status: 'current', description })[0] ?? null;
  const fromTitle = probe(title);
  if (fromTitle || !text) return fromTitle;
  const heading = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).slice(0, 5).join(' ').slice(0, 300);
  return heading ? probe(heading) : null;
}
