// The shape in which the storage layer hands a patient's records to the pure record functions.

export interface PortalSource {
  portalId: string;
  portalName: string;
}

export interface StoredRecord {
  /** carebinder's row id, not the FHIR id. */
  id: string;
  resource: unknown;
  categories: readonly string[];
  sources: readonly PortalSource[];
}

/** The portals in first-seen order, each once. */
export function mergeSources(lists: Iterable<readonly PortalSource[]>): PortalSource[] {
  const byId = new Map<string, PortalSource>();
  for (const list of lists) {
    for (const source of Array.isArray(list) ? list : []) {
      const portal = source as Partial<Record<keyof PortalSource, unknown>> | null;
      if (typeof portal?.portalId !== 'string' || byId.has(portal.portalId)) continue;
      byId.set(portal.portalId, { portalId: portal.portalId, portalName: typeof portal.portalName === 'string' ? portal.portalName : portal.portalId });
    }
  }
  return [...byId.values()];
}

/** The records that are well-formed enough to use; anything else in the list is skipped, never thrown on. */
export function usableRecords(records: unknown): StoredRecord[] {
  if (!Array.isArray(records)) return [];
  const out: StoredRecord[] = [];
  for (const candidate of records as unknown[]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const record = candidate as Partial<Record<keyof StoredRecord, unknown>>;
    if (typeof record.id !== 'string' && typeof record.id !== 'number') continue;
    out.push({
      id: String(record.id),
      resource: record.resource,
      categories: Array.isArray(record.categories) ? record.categories.filter((category): category is string => typeof category === 'string') : [],
      sources: mergeSources([Array.isArray(record.sources) ? (record.sources as PortalSource[]) : []]),
    });
  }
  return out;
}

/** Finds the stored record a FHIR reference points at, preferring one from the same portal as the record that refers. */
export class RecordIndex {
  private readonly byResource = new Map<string, StoredRecord[]>();

  constructor(records: readonly StoredRecord[], keyOf: (resource: unknown) => string | null) {
    for (const record of records) {
      const key = keyOf(record.resource);
      if (!key) continue;
      const list = this.byResource.get(key);
      if (list) list.push(record);
      else this.byResource.set(key, [record]);
    }
  }

  find(key: string | null, from?: StoredRecord): StoredRecord | null {
    if (!key) return null;
    const candidates = this.byResource.get(key) ?? [];
    const fromPortals = new Set((from?.sources ?? []).map((source) => source.portalId));
    return candidates.find((candidate) => candidate.sources.some((source) => fromPortals.has(source.portalId))) ?? candidates[0] ?? null;
  }
}
