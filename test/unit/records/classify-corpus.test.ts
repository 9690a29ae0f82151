// Accuracy on the labeled dev corpus, the project's own copy in test/fixtures/corpus (see its README).
// Prints precision/recall/F1 per category, macro-F1 and exact-set accuracy.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORY_IDS, type CategoryId } from '../../../src/records/categories.js';
import { classify } from '../../../src/records/classify/index.js';

const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url));

interface Scored {
  readonly key: string;
  readonly expected: ReadonlySet<string>;
  readonly actual: ReadonlySet<string>;
}

interface CategoryScore {
  readonly category: CategoryId;
  readonly support: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function loadScored(): Scored[] {
  const labels = JSON.parse(readFileSync(`${CORPUS_DIR}labels.json`, 'utf8')) as Record<string, string[]>;
  const actualByKey = new Map<string, CategoryId[]>();
  for (const file of readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.ndjson'))) {
    for (const line of readFileSync(CORPUS_DIR + file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const resource = JSON.parse(line) as { resourceType: string; id: string };
      actualByKey.set(`${resource.resourceType}/${resource.id}`, classify(resource));
    }
  }
  // A labeled resource missing from the output counts as wrong: it gets an empty actual set.
  return Object.entries(labels).map(([key, expected]) => ({
    key,
    expected: new Set(expected),
    actual: new Set(actualByKey.get(key) ?? ['(missing)']),
  }));
}

function scoreCategory(scored: readonly Scored[], category: CategoryId): CategoryScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { expected, actual } of scored) {
    if (actual.has(category) && expected.has(category)) tp += 1;
    else if (actual.has(category)) fp += 1;
    else if (expected.has(category)) fn += 1;
  }
  // A category with nothing expected and nothing predicted is perfectly classified.
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? (fp === 0 ? 1 : 0) : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { category, support: tp + fn, precision, recall, f1 };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function formatTable(scores: readonly CategoryScore[], macroF1: number, exactSetAccuracy: number, total: number): string {
  const rows = scores.map(
    (s) =>
      `${s.category.padEnd(30)} ${String(s.support).padStart(7)} ${s.precision.toFixed(3).padStart(9)} ${s.recall.toFixed(3).padStart(7)} ${s.f1.toFixed(3).padStart(6)}`,
  );
  return [
    `${'category'.padEnd(30)} ${'support'.padStart(7)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'f1'.padStart(6)}`,
    ...rows,
    `macro-F1: ${macroF1.toFixed(4)}`,
    `exact-set accuracy: ${exactSetAccuracy.toFixed(4)} (${total} resources)`,
  ].join('\n');
}

describe('classifier accuracy on the dev corpus', () => {
  it('reaches macro-F1 ≥ 0.97 and exact-set accuracy ≥ 0.95', () => {
    expect(existsSync(CORPUS_DIR), `dev corpus expected at ${CORPUS_DIR}`).toBe(true);
    const scored = loadScored();
    const scores = CATEGORY_IDS.map((category) => scoreCategory(scored, category));
    const macroF1 = scores.reduce((sum, s) => sum + s.f1, 0) / scores.length;
    const misses = scored.filter((s) => !sameSet(s.expected, s.actual));
    const exactSetAccuracy = (scored.length - misses.length) / scored.length;

    console.log(formatTable(scores, macroF1, exactSetAccuracy, scored.length));
    for (const miss of misses) {
      console.log(`mismatch ${miss.key}: expected [${[...miss.expected].join(', ')}] got [${[...miss.actual].join(', ')}]`);
    }

    expect(scored.length).toBeGreaterThan(0);
    expect(macroF1).toBeGreaterThanOrEqual(0.97);
    expect(exactSetAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
