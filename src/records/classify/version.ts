// CLASSIFIER_RULES_VERSION changes whenever the rules or their tables change, so stored
// categories can be recomputed by a background job. It is the manual logic version plus
// a hash of every code table's contents, computed once at load.

import { createHash } from 'node:crypto';
import * as encounterClasses from './codes/encounter-classes.js';
import * as icd10 from './codes/icd10.js';
import * as loinc from './codes/loinc.js';
import * as medicines from './codes/medicines.js';
import * as procedures from './codes/procedures.js';
import * as profiles from './codes/profiles.js';
import * as radiotherapy from './codes/radiotherapy.js';
import * as reportCategories from './codes/report-categories.js';
import * as socialFindings from './codes/social-findings.js';
import * as statuses from './codes/statuses.js';
import * as systems from './codes/systems.js';
import * as textSignals from './codes/text-signals.js';
import * as vaccines from './codes/vaccines.js';

/** Bump when rule logic (not a table) changes meaning, or what a row stores beside its categories (binder fields, duplicate and event keys): the re-filing job recomputes both. */
export const RULES_LOGIC_VERSION = 3; // 3: attachments carry their resolved sourceUrl

const TABLES = {
  encounterClasses,
  icd10,
  loinc,
  medicines,
  procedures,
  profiles,
  radiotherapy,
  reportCategories,
  socialFindings,
  statuses,
  systems,
  textSignals,
  vaccines,
};

/** JSON with stable forms for values JSON.stringify would drop or reorder. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
    if (v instanceof Set) return [...(v as Set<unknown>)].map(String).sort();
    if (typeof v === 'function') return undefined;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

export function rulesVersionOf(tables: unknown, logicVersion: number): string {
  const hash = createHash('sha256').update(stableJson(tables)).digest('hex').slice(0, 12);
  return `${logicVersion}-${hash}`;
}

export const CLASSIFIER_RULES_VERSION: string = rulesVersionOf(TABLES, RULES_LOGIC_VERSION);
