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
}

const cache = new Map<string, BinderIndex>();
const building = new Map<string, Promise<BinderIndex>>();
const CACHE_ACCOUNTS = 200;
/** Rows read per query while building: the index is built from batches, never from the whole account at once. */
const BUILD_BATCH = 10_000;

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

/**
 * The records of the index in columns (a record is its position, in id order): the build holds a few
 * numbers and shared strings per record, not a row object with its duplicate keys.
 */
class Columns {
  readonly ids: string[] = [];
  readonly numericIds: number[] = [];
  readonly links: string[] = [];
  readonly ranks: number[] = [];
  /** Bit i: the record is filed in CATEGORY_IDS[i]. */
  readonly masks: number[] = [];
  /** NaN for an undated record. */
  readonly effective: number[] = [];
  private readonly strings = new Map<string, string>();

  add(row: IndexRow): void {
    this.ids.push(row.id);
    this.numericIds.push(Number(row.id));
    this.links.push(this.intern(row.link_id));
    this.ranks.push(typeRank(row.resource_type));
    let mask = 0;
    CATEGORY_IDS.forEach((category, bit) => {
      if (row.categories.includes(category)) mask |= 1 << bit;
    });
    this.masks.push(mask);
    this.effective.push(row.effective_ms ?? Number.NaN);
  }

  /** The position of a record id, or -1. */
  position(id: string): number {
    const target = Number(id);
    let low = 0;
    let high = this.numericIds.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.numericIds[mid];
      if (value === target) return mid;
      if (value < target) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  /** One string object per distinct value (link ids repeat on every record of a link). */
  intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }
}

async function buildIndex(db: Queryable, accountId: string, stamp: string): Promise<BinderIndex> {
  const columns = new Columns();
  let lastId = '0';
  for (;;) {
    const { rows } = await db.query<IndexRow>(
      `SELECT id::text, link_id, resource_type, categories, (extract(epoch FROM effective_at) * 1000)::float8 AS effective_ms
         FROM records WHERE account_id = $1 AND cardinality(categories) > 0 AND records.id > $2 ORDER BY records.id LIMIT ${BUILD_BATCH}`,
      [accountId, lastId],
    );
    for (const row of rows) columns.add(row);
    if (rows.length < BUILD_BATCH) break;
    lastId = rows[rows.length - 1].id;
  }
  // Records that share a duplicate key, as pairs (the first record with the key, a later one), found by
  // the database: the keys themselves (a few hundred bytes a record) never reach the process.
  const { rows: pairs } = await db.query<{ first: string; id: string }>(
    `WITH keyed AS MATERIALIZED (
       SELECT r.id, k.key FROM records r CROSS JOIN LATERAL unnest(r.duplicate_keys) AS k(key)
        WHERE r.account_id = $1 AND cardinality(r.categories) > 0),
     firsts AS (SELECT key, min(id) AS first FROM keyed GROUP BY key HAVING count(*) > 1)
     SELECT DISTINCT f.first::text AS first, keyed.id::text AS id FROM keyed JOIN firsts f ON f.key = keyed.key WHERE keyed.id <> f.first`,
    [accountId],
  );
  const sources = await accountSources(db, accountId);
  const count = columns.ids.length;
  const sets = new UnionFind(count);
  for (const pair of pairs) {
    const first = columns.position(pair.first);
    const later = columns.position(pair.id);
    if (first !== -1 && later !== -1) sets.union(first, later);
  }

  // Members of each group in id order, the groups in the order of their first member.
  const roots = new Int32Array(count);
  const groupSizes = new Map<number, number>();
  for (let index = 0; index < count; index++) {
    const root = sets.find(index);
    roots[index] = root;
    if (root !== index) groupSizes.set(root, (groupSizes.get(root) ?? 1) + 1);
  }
  const groups = new Map<number, number[]>();
  for (let index = 0; index < count; index++) {
    const root = roots[index];
    if (root === index && !groupSizes.has(index)) continue;
    const group = groups.get(root);
    if (group) group.push(index);
    else groups.set(root, [index]);
  }

  // Entries share their link and category lists when they are the same (most are: one link, one category).
  const shared = new Map<string, readonly string[]>();
  const list = <T extends string>(values: T[]): T[] => {
    const key = values.join(' ');
    let known = shared.get(key);
    if (!known) shared.set(key, (known = Object.freeze(values)));
    return known as T[];
  };
  const byMember = new Map<string, BinderEntry>();
  const byCategory = new Map<CategoryId, BinderEntry[]>(CATEGORY_IDS.map((id) => [id, []]));
  const categoriesOf = (mask: number): CategoryId[] => list(CATEGORY_IDS.filter((_, bit) => (mask & (1 << bit)) !== 0));
  const add = (entry: BinderEntry, members: readonly number[]): void => {
    for (const member of members) byMember.set(columns.ids[member], entry);
    for (const category of entry.categories) byCategory.get(category)!.push(entry);
  };
  for (let index = 0; index < count; index++) {
    if (roots[index] !== index || groupSizes.has(index)) continue;
    // A record of its own (most are).
    const effective = columns.effective[index];
    add(
      {
        id: columns.ids[index],
        effectiveAt: Number.isNaN(effective) ? null : effective,
        memberIds: [columns.ids[index]],
        linkIds: list([columns.links[index]]),
        categories: categoriesOf(columns.masks[index]),
      },
      [index],
    );
  }
  for (const members of groups.values()) {
    const primary = [...members].sort((a, b) => byPreference(columns, a, b))[0];
    const dated = Number.isNaN(columns.effective[primary]) ? members.find((m) => !Number.isNaN(columns.effective[m])) : primary;
    let mask = 0;
    for (const member of members) mask |= columns.masks[member];
    add(
      {
        id: columns.ids[primary],
        effectiveAt: dated === undefined ? null : columns.effective[dated],
        memberIds: members.map((m) => columns.ids[m]),
        linkIds: list([...new Set(members.map((m) => columns.links[m]))]),
        categories: categoriesOf(mask),
      },
      members,
    );
  }
  for (const entries of byCategory.values()) entries.sort(newestFirst);
  return { stamp, sources, byMember, byCategory };
}

/**
 * Which member of a group is shown: the preferred type (the report of an exam, the procedure of an
 * operation), then the newest record (a medicine's latest order says whether it is still taken),
 * then the first stored.
 */
function byPreference(columns: Columns, a: number, b: number): number {
  const byType = columns.ranks[a] - columns.ranks[b];
  if (byType !== 0) return byType;
  const ea = columns.effective[a];
  const eb = columns.effective[b];
  if (ea !== eb && !(Number.isNaN(ea) && Number.isNaN(eb))) {
    if (Number.isNaN(ea)) return 1;
    if (Number.isNaN(eb)) return -1;
    return eb - ea;
  }
  return columns.numericIds[a] - columns.numericIds[b];
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
