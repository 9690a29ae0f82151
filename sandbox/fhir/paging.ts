// Paging with cursors instead of offsets: a page starts after the last entry of the previous
// one (by write sequence), so resources updated while a client pages move to the end instead
// of shifting others out of view. Match lists are cached per query until the store changes,
// so paging through 100k resources costs one filter pass, not one per page.
import type { StoredResource } from '../store.js';
import type { PageCursor } from './search.js';

export interface Page {
  readonly total: number;
  readonly entries: readonly StoredResource[];
  readonly number: number;
  /** Cursor of the following page, if there is one. */
  readonly next: PageCursor | undefined;
}

export function pageOf(matches: readonly StoredResource[], cursor: PageCursor | undefined, size: number): Page {
  const number = cursor?.page ?? 1;
  const start = cursor === undefined ? 0 : firstAfter(matches, cursor.afterSeq);
  const entries = size === 0 ? [] : matches.slice(start, start + size);
  const last = entries.at(-1);
  const hasMore = size > 0 && start + size < matches.length;
  return {
    total: matches.length,
    entries,
    number,
    next: hasMore && last ? { page: number + 1, afterSeq: last.seq } : undefined,
  };
}

/** Binary search: index of the first entry written after `seq` (lists are in write order). */
function firstAfter(matches: readonly StoredResource[], seq: number): number {
  let low = 0;
  let high = matches.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((matches[middle]).seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

const CACHE_SIZE = 32;

export class MatchCache {
  private readonly entries = new Map<string, { storeVersion: number; matches: readonly StoredResource[] }>();

  /** The cached match list for `key` at this store version, or a fresh one from `compute`. */
  get(key: string, storeVersion: number, compute: () => readonly StoredResource[]): readonly StoredResource[] {
    const cached = this.entries.get(key);
    if (cached && cached.storeVersion === storeVersion) {
      // Re-insert to keep the most recently used last.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.matches;
    }
    const matches = compute();
    this.entries.set(key, { storeVersion, matches });
    if (this.entries.size > CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string);
    return matches;
  }
}
