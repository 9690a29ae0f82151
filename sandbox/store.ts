// One hospital's resources, held in memory. Each resource is kept once, as its JSON text
// (compact for 100k-resource patients), with a small index entry: owner, write order and
// search tokens. Lists per patient and type stay in write order, which is also paging order.
import type { FhirResource } from 'fhir/r4.js';
import { indexTokens } from './fhir/tokens.js';
import {
  BINARY,
  TOKEN_PARAMETERS,
  isCompartmentType,
  isSupportedType,
  type SupportedType,
} from './fhir/resource-types.js';

export interface StoredResource {
  readonly resourceType: SupportedType;
  readonly id: string;
  /** The patient whose compartment holds it; undefined for shared types. */
  readonly patientId: string | undefined;
  /** Store-wide write counter: orders search results and anchors paging cursors. */
  readonly seq: number;
  readonly versionId: number;
  readonly lastUpdatedMs: number;
  readonly json: string;
  readonly tokens: Readonly<Record<string, readonly string[]>>;
}

export interface PutOptions {
  /** Keep meta.versionId/lastUpdated as given (loading files) instead of bumping them (a new write). */
  readonly preserveMeta: boolean;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const EMPTY: readonly StoredResource[] = [];

export class ResourceStore {
  private readonly byKey = new Map<string, StoredResource>();
  private readonly byOwnerAndType = new Map<string, StoredResource[]>();
  private readonly deletedKeys = new Set<string>();
  private writes = 0;

  /** Bumped on every write, so cached search results can tell they are stale. */
  get version(): number {
    return this.writes;
  }

  get size(): number {
    return this.byKey.size;
  }

  put(resource: FhirResource, options: PutOptions): StoredResource {
    const resourceType = resource.resourceType;
    if (!isSupportedType(resourceType)) throw new StoreError(`resource type ${resourceType} is not served`);
    const id = resource.id;
    if (id === undefined || !FHIR_ID.test(id)) throw new StoreError(`${resourceType} needs a valid id`);
    const patientId = compartmentOwner(resource);
    const key = `${resourceType}/${id}`;
    const previous = this.byKey.get(key);
    if (previous && previous.patientId !== patientId) {
      throw new StoreError(`${key} belongs to another patient; delete it first`);
    }

    const stamped = stampMeta(resource, previous, options);
    this.writes += 1;
    const entry: StoredResource = {
      resourceType,
      id,
      patientId,
      seq: this.writes,
      versionId: versionNumber(stamped.meta?.versionId),
      lastUpdatedMs: Date.parse(stamped.meta?.lastUpdated ?? ''),
      json: JSON.stringify(stamped),
      tokens: tokensOf(resourceType, stamped),
    };
    if (previous) this.unlist(previous);
    this.byKey.set(key, entry);
    this.deletedKeys.delete(key);
    this.listFor(patientId, resourceType, true).push(entry);
    return entry;
  }

  get(resourceType: string, id: string): StoredResource | undefined {
    return this.byKey.get(`${resourceType}/${id}`);
  }

  /** True for a resource that existed and was deleted (a read answers 410 Gone). */
  wasDeleted(resourceType: string, id: string): boolean {
    return this.deletedKeys.has(`${resourceType}/${id}`);
  }

  delete(resourceType: string, id: string): boolean {
    const key = `${resourceType}/${id}`;
    const entry = this.byKey.get(key);
    if (!entry) return false;
    this.writes += 1;
    this.unlist(entry);
    this.byKey.delete(key);
    this.deletedKeys.add(key);
    return true;
  }

  /** A patient's resources of one type, in write order. */
  compartment(patientId: string, resourceType: string): readonly StoredResource[] {
    return this.listFor(patientId, resourceType, false) ?? EMPTY;
  }

  /** Shared resources (Practitioner, Organization, …) of one type, in write order. */
  shared(resourceType: string): readonly StoredResource[] {
    return this.listFor(undefined, resourceType, false) ?? EMPTY;
  }

  patientIds(): string[] {
    // Each Patient sits in its own "<id>/Patient" list, so this does not walk every resource.
    return [...this.byOwnerAndType.entries()]
      .filter(([key, list]) => key.endsWith('/Patient') && list.length > 0)
      .map(([key]) => key.slice(0, -'/Patient'.length));
  }

  /** Number of resources held per patient (and `shared`), for admin status. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.byKey.values()) {
      const owner = entry.patientId ?? 'shared';
      counts[owner] = (counts[owner] ?? 0) + 1;
    }
    return counts;
  }

  parse(entry: StoredResource): FhirResource {
    return JSON.parse(entry.json) as FhirResource;
  }

  private listFor(patientId: string | undefined, resourceType: string, create: true): StoredResource[];
  private listFor(patientId: string | undefined, resourceType: string, create: false): StoredResource[] | undefined;
  private listFor(patientId: string | undefined, resourceType: string, create: boolean): StoredResource[] | undefined {
    const key = `${patientId ?? ''}/${resourceType}`;
    let list = this.byOwnerAndType.get(key);
    if (!list && create) {
      list = [];
      this.byOwnerAndType.set(key, list);
    }
    return list;
  }

  private unlist(entry: StoredResource): void {
    const list = this.listFor(entry.patientId, entry.resourceType, false);
    const index = list ? list.indexOf(entry) : -1;
    if (list && index >= 0) list.splice(index, 1);
  }
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** The patient a compartment resource belongs to: itself, its subject/patient, or (Binary) its securityContext. */
export function compartmentOwner(resource: FhirResource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  if (!isCompartmentType(resource.resourceType) && resource.resourceType !== BINARY) return undefined;
  const holder = resource as { subject?: { reference?: string }; patient?: { reference?: string }; securityContext?: { reference?: string } };
  const reference = holder.patient?.reference ?? holder.subject?.reference ?? holder.securityContext?.reference;
  const patientId = reference === undefined ? undefined : patientIdOf(reference);
  if (patientId === undefined) {
    throw new StoreError(`${resource.resourceType}/${resource.id ?? '?'} does not reference its Patient`);
  }
  return patientId;
}

/** "Patient/123", or an absolute URL ending in it, names patient 123. */
export function patientIdOf(reference: string): string | undefined {
  const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  return match?.[1];
}

function stampMeta(resource: FhirResource, previous: StoredResource | undefined, options: PutOptions): FhirResource {
  const meta = resource.meta ?? {};
  if (options.preserveMeta && meta.lastUpdated !== undefined && !Number.isNaN(Date.parse(meta.lastUpdated))) {
    return { ...resource, meta: { ...meta, versionId: meta.versionId ?? '1' } };
  }
  // A write moves time forward even within one millisecond, so `_lastUpdated=gt<previous>` sees it.
  const now = Math.max(Date.now(), (previous?.lastUpdatedMs ?? 0) + 1);
  const versionId = String((previous?.versionId ?? 0) + 1);
  return { ...resource, meta: { ...meta, versionId, lastUpdated: new Date(now).toISOString() } };
}

/** Data files may carry any versionId; the sandbox counts from its number, or from 1. */
function versionNumber(versionId: string | undefined): number {
  const number = Number(versionId);
  return Number.isSafeInteger(number) && number > 0 ? number : 1;
}

function tokensOf(resourceType: SupportedType, resource: FhirResource): Record<string, string[]> {
  const tokens: Record<string, string[]> = {};
  for (const [name, parameter] of Object.entries(TOKEN_PARAMETERS[resourceType])) {
    const found = indexTokens(resource, parameter);
    if (found.length > 0) tokens[name] = found;
  }
  return tokens;
}
