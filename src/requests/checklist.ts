// GET /api/checklist: the leaflet's categories with what each holds (from the binder's index) and the
// events whose record is absent (src/records/checklist.ts, over the records that can be an event, a
// report of one, or the organization to ask).
import { binderIndex } from '../binder/binder-index.js';
import type { Queryable } from '../db/pool.js';
import type { CategoryId } from '../records/categories.js';
import { checklistCategories, findGaps, GAP_RULES, type ChecklistCategory, type ChecklistGap, type ChecklistRecord } from '../records/checklist.js';

export interface Checklist {
  categories: ChecklistCategory[];
  gaps: ChecklistGap[];
}

const EVENT_TYPES = ['Procedure', 'Encounter', 'ImagingStudy'];
const ORGANIZATION_TYPES = ['Organization', 'Location', 'PractitionerRole'];
const REPORT_TYPES = ['DiagnosticReport', 'DocumentReference', 'Composition'];
const GAP_CATEGORIES = [...new Set(Object.values(GAP_RULES).map((rule) => rule.category))];

interface Row {
  id: string;
  link_id: string;
  resource: unknown;
  categories: string[];
}

export async function buildChecklist(db: Queryable, accountId: string, binderVersion: string): Promise<Checklist> {
  const index = await binderIndex(db, accountId, binderVersion);
  // Documents' bytes and narratives are left out: filing already read them, and they can be large.
  const { rows } = await db.query<Row>(
    `SELECT id::text, link_id, categories,
            CASE WHEN resource_type = ANY($3::text[]) THEN resource - 'content' - 'presentedForm' - 'text' - 'section' ELSE resource - 'text' END AS resource
       FROM records
      WHERE account_id = $1 AND removed_at_source IS NULL
        AND (resource_type = ANY($2::text[]) OR (resource_type = ANY($3::text[]) AND categories && $4::text[]) OR 'radiation-treatment-summary' = ANY(categories))
      ORDER BY id`,
    [accountId, [...EVENT_TYPES, ...ORGANIZATION_TYPES], REPORT_TYPES, GAP_CATEGORIES],
  );
  const records: ChecklistRecord[] = rows.map((row) => {
    const source = index.sources.byLink.get(row.link_id);
    const group = index.byMember.get(row.id)?.id;
    return {
      id: row.id,
      resource: row.resource,
      categories: row.categories,
      sources: source ? [{ portalId: source.portalId, portalName: source.portalName }] : [],
      ...(group !== undefined ? { group } : {}),
    };
  });
  const gaps = findGaps(records);
  const filed = new Map<CategoryId, { count: number; lastDate: string | null }>();
  for (const [category, entries] of index.byCategory) {
    const newest = entries.find((entry) => entry.effectiveAt !== null)?.effectiveAt ?? null;
    filed.set(category, { count: entries.length, lastDate: newest === null ? null : new Date(newest).toISOString().slice(0, 10) });
  }
  return { categories: checklistCategories(filed, gaps), gaps };
}
