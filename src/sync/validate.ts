// Portal pages are untrusted input: every page must be a searchset Bundle, every entry a
// resource with a type and id, within size, about the linked patient. Pure.
import { referencedPatientIds } from '../records/binder-fields.js';
import { STORABLE_TYPES } from './plan.js';

export const MAX_RESOURCE_BYTES = 4 * 1024 * 1024;

export interface FhirResource {
  resourceType: string;
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  [key: string]: unknown;
}

export type EntryVerdict =
  | { kind: 'accept'; resource: FhirResource; json: string }
  | { kind: 'warning'; message: string }
  | { kind: 'reject'; reason: 'foreign-patient' | 'malformed' | 'too-large' | 'unexpected-type'; detail: string };

export interface ValidatedPage {
  verdicts: EntryVerdict[];
  nextUrl: string | null;
  total: number | null;
}

export class InvalidPageError extends Error {
  override name = 'InvalidPageError';
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface SearchBundle {
  entries: Array<{ resource?: unknown }>;
  nextUrl: string | null;
  total: number | null;
}

/** The page as a searchset Bundle, its entries not yet checked: enough to ask for the next page. */
export function readSearchBundle(body: unknown): SearchBundle {
  const bundle = body as { resourceType?: unknown; type?: unknown; entry?: unknown; link?: unknown; total?: unknown } | null;
  if (!bundle || bundle.resourceType !== 'Bundle') throw new InvalidPageError('the page is not a FHIR Bundle');
  if (bundle.type !== 'searchset') throw new InvalidPageError(`the page is a ${String(bundle.type)} Bundle, not a searchset`);
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw new InvalidPageError('the Bundle entries are not a list');
  const links = Array.isArray(bundle.link) ? (bundle.link as Array<{ relation?: unknown; url?: unknown }>) : [];
  const next = links.find((l) => l?.relation === 'next' && typeof l.url === 'string')?.url as string | undefined;
  return {
    entries: (bundle.entry ?? []) as Array<{ resource?: unknown }>,
    nextUrl: next ?? null,
    total: typeof bundle.total === 'number' ? bundle.total : null,
  };
}

export function validateEntries(entries: SearchBundle['entries'], patientId: string): EntryVerdict[] {
  return entries.map((entry) => validateEntry(entry?.resource, patientId));
}

export function validateSearchPage(body: unknown, patientId: string): ValidatedPage {
  const bundle = readSearchBundle(body);
  return { verdicts: validateEntries(bundle.entries, patientId), nextUrl: bundle.nextUrl, total: bundle.total };
}

export function validateEntry(value: unknown, patientId: string): EntryVerdict {
  const resource = value as Partial<FhirResource> | null | undefined;
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) return { kind: 'reject', reason: 'malformed', detail: 'an entry without a resource' };
  if (resource.resourceType === 'OperationOutcome') return { kind: 'warning', message: operationOutcomeText(resource as { issue?: unknown }) };
  if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string' || !FHIR_ID.test(resource.id)) {
    return { kind: 'reject', reason: 'malformed', detail: 'a resource without a valid resourceType and id' };
  }
  if (!STORABLE_TYPES.has(resource.resourceType)) {
    return { kind: 'reject', reason: 'unexpected-type', detail: `${resource.resourceType} is not a type carebinder keeps` };
  }
  const json = JSON.stringify(resource);
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most resources need no byte count.
  const bytes = json.length * 3 <= MAX_RESOURCE_BYTES ? 0 : Buffer.byteLength(json);
  if (bytes > MAX_RESOURCE_BYTES) return { kind: 'reject', reason: 'too-large', detail: `${resource.resourceType}/${resource.id} is ${bytes} bytes` };
  if (!belongsToPatient(resource as FhirResource, patientId)) {
    return { kind: 'reject', reason: 'foreign-patient', detail: `${resource.resourceType}/${resource.id} is about another patient` };
  }
  return { kind: 'accept', resource: resource as FhirResource, json };
}

/** A Patient must be the linked patient; a clinical resource must name only the linked patient. */
export function belongsToPatient(resource: FhirResource, patientId: string): boolean {
  if (resource.resourceType === 'Patient') return resource.id === patientId;
  const named = referencedPatientIds(resource);
  return named.every((id) => id === patientId);
}

function operationOutcomeText(outcome: { issue?: unknown }): string {
  const issues = Array.isArray(outcome.issue) ? (outcome.issue as Array<{ severity?: string; diagnostics?: string; details?: { text?: string } }>) : [];
  const text = issues
    .map((issue) => `${issue?.severity ?? 'information'}: ${issue?.diagnostics ?? issue?.details?.text ?? 'no details'}`)
    .join('; ');
  return `portal said: ${text || 'an OperationOutcome without issues'}`.slice(0, 500);
}
