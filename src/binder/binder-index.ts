// One patient's binder as an in-memory index: every record once (duplicates across portals and
// across resource types grouped, with all their sources), filed by category, newest first.
// Built from narrow columns only and cached per account under a stamp (the newest change time
// of its records, read by index, and a version that deletions bump), so a page costs two
// indexed queries. Concurrent requests share one build.
import type { Queryable } from '../db/pool.js';
import { CATEGORY_IDS, type CategoryId } from '../records/categories.js';
import { typeRank } from '../records/duplicates.js';
import { UnionFind } from '../records/union-find.js';
import { accountSources, type AccountSources } from './sources.js';

export interface BinderEntry {
  /** The record shown (the richest of its duplicate group). */
  id: string;
  effectiveAt: number | null;
  memberIds: string[];
  linkIds: string[];
  categories: CategoryId[];
}

export interface BinderIndex {
  stamp: string;
  sources: AccountSources;
  entries: Map<string, BinderEntry>;
  /** Record id of any member → its group's entry. */
  byMember: Map<string, BinderEntry>;
  byCategory: Map<CategoryId, BinderEntry[]>;
}

interface IndexRow {
  id: string;
  link_id: string;
  resource_type: string;
  categories: string[];
  effective_ms: number | null;
  duplicate_keys: string[];
}


const cache = new Map<string, BinderIndex>();
const building = new Map<string, Promise<BinderIndex>>();
const CACHE_ACCOUNTS = 200;

/**
 * `version` is the account's binder version as read with the session (bumped by deletions);
 * with the newest change time of its records (an index probe) it names the binder's state.
 */
export async function binderIndex(db: Queryable, accountId: string, version: string): Promise<BinderIndex> {
  const { rows } = await db.query<{ changed: Date | null }>(
    'SELECT last_changed_at AS changed FROM records WHERE account_id = $1 ORDER BY last_changed_at DESC LIMIT 1',
    [accountId],
  );
  const stamp = `${version}.${rows[0]?.changed?.getTime() ?? 0}`;
  const cached = cache.get(accountId);
  if (cached?.stamp === stamp) return cached;
  const key = `${accountId} ${stamp}`;
  let pending = building.get(key);
  if (!pending) {
    pending = buildIndex(db, accountId, stamp).finally(() => building.delete(key));
    building.set(key, pending);
  }
  const index = await pending;
  if ((cache.get(accountId)?.stamp ?? '') !== stamp) {
    cache.delete(accountId);
    cache.set(accountId, index);
    if (cache.size > CACHE_ACCOUNTS) cache.delete(cache.keys().next().value!);
  }
  return index;
}

async function buildIndex(db: Queryable, accountId: string, stamp: string): Promise<BinderIndex> {
  const { rows } = await db.query<IndexRow>(
    `SELECT id::text, link_id, resource_type, categories, (extract(epoch FROM effective_at) * 1000)::float8 AS effective_ms, duplicate_keys
       FROM records WHERE account_id = $1 AND cardinality(categories) > 0 ORDER BY records.id`,
    [accountId],
  );
  const sources = await accountSources(db, accountId);
  const sets = new UnionFind(rows.length);
  sets.unionByKeys(rows.map((row) => row.duplicate_keys));
  const groups = new Map<number, IndexRow[]>();
  rows.forEach((row, index) => {
    const root = sets.find(index);
    const group = groups.get(root);
    if (group) group.push(row);
    else groups.set(root, [row]);
  });

  const entries = new Map<string, BinderEntry>();
  const byMember = new Map<string, BinderEntry>();
  const byCategory = new Map<CategoryId, BinderEntry[]>(CATEGORY_IDS.map((id) => [id, []]));
  for (const members of groups.values()) {
    const primary = [...members].sort(byPreference)[0];
    const categories = CATEGORY_IDS.filter((category) => members.some((member) => member.categories.includes(category)));
    const entry: BinderEntry = {
      id: primary.id,
      effectiveAt: primary.effective_ms ?? members.find((m) => m.effective_ms !== null)?.effective_ms ?? null,
      memberIds: members.map((m) => m.id),
      linkIds: [...new Set(members.map((m) => m.link_id))],
      categories,
    };
    entries.set(entry.id, entry);
    for (const member of members) byMember.set(member.id, entry);
    for (const category of categories) byCategory.get(category)!.push(entry);
  }
  for (const list of byCategory.values()) list.sort(newestFirst);
  return { stamp, sources, entries, byMember, byCategory };
}

/**
 * Which member of a group is shown: the preferred type (the report of an exam, the procedure of an
 * operation), then the newest record (a medicine's latest order says whether it is still taken),
 * then the first stored.
 */
function byPreference(a: IndexRow, b: IndexRow): number {
  const byType = typeRank(a.resource_type) - typeRank(b.resource_type);
  if (byType !== 0) return byType;
  if (a.effective_ms !== b.effective_ms) {
    if (a.effective_ms === null) return 1;
    if (b.effective_ms === null) return -1;
    return b.effective_ms - a.effective_ms;
  }
  return Number(a.id) - Number(b.id);
}

/** Newest first; undated records last; ties by id, newest first. */
export function newestFirst(a: BinderEntry, b: BinderEntry): number {
  if (a.effectiveAt !== b.effectiveAt) {
    if (a.effectiveAt === null) return 1;
    if (b.effectiveAt === null) return -1;
    return b.effectiveAt - a.effectiveAt;
  }
  return Number(b.id) - Number(a.id);
}

export interface EntryFilter {
  linkIds?: ReadonlySet<string>;
  fromMs?: number;
  toMs?: number;
}

export function matches(entry: BinderEntry, filter: EntryFilter): boolean {
  if (filter.linkIds && !entry.linkIds.some((id) => filter.linkIds!.has(id))) return false;
  if (filter.fromMs !== undefined && (entry.effectiveAt === null || entry.effectiveAt < filter.fromMs)) return false;
  if (filter.toMs !== undefined && (entry.effectiveAt === null || entry.effectiveAt > filter.toMs)) return false;
  return true;
}

/** Opaque keyset cursor: the last entry's date and id. */
export function encodeCursor(entry: BinderEntry): string {
  return Buffer.from(JSON.stringify([entry.effectiveAt, entry.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Pick<BinderEntry, 'effectiveAt' | 'id'> | null {
  try {
    const [effectiveAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((effectiveAt !== null && typeof effectiveAt !== 'number') || typeof id !== 'string' || !/^\d+$/.test(id)) return null;
    return { effectiveAt, id };
  } catch {
    return null;
  }
}

/** The entries after the cursor position (keyset: stable while records are added). */
export function after(list: readonly BinderEntry[], cursor: Pick<BinderEntry, 'effectiveAt' | 'id'>): number {
  const probe = { ...cursor, memberIds: [], linkIds: [], categories: [] } as BinderEntry;
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (newestFirst(list[mid], probe) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
