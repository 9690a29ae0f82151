// Searchset Bundles, serialised by joining the stored JSON texts: resources are never parsed
// or copied to answer a page.
import { randomUUID } from 'node:crypto';
import type { StoredResource } from '../store.js';

export interface BundleLink {
  readonly relation: 'self' | 'next' | 'first';
  readonly url: string;
}

export function searchsetJson(fhirBase: string, total: number, links: readonly BundleLink[], entries: readonly StoredResource[]): string {
  const head = JSON.stringify({
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    total,
    link: links,
  });
  if (entries.length === 0) return head;
  const entryJson = entries.map(
    (entry) =>
      `{"fullUrl":${JSON.stringify(`${fhirBase}/${entry.resourceType}/${entry.id}`)},"resource":${entry.json},"search":{"mode":"match"}}`,
  );
  return `${head.slice(0, -1)},"entry":[${entryJson.join(',')}]}`;
}
