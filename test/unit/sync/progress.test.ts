import { describe, expect, it } from 'vitest';
import { progressOf, type SyncRun, type TypeReport } from '../../../src/sync/sync-runs.js';

const step = (status: TypeReport['status'], fetched = 0, expected: number | null = null): TypeReport => ({ fetched, stored: fetched, rejected: 0, pages: 0, expected, status });
const run = (types: Record<string, TypeReport>, state: SyncRun['state'] = 'running'): SyncRun => ({
  id: '1', linkId: 'l', jobId: 'j', fullPass: false, state, startedAt: new Date(), finishedAt: null, pagesDone: 0, types, errors: [], warnings: [],
});

describe('the sync progress bar', () => {
  it('never moves backwards as a big type announces its total and later steps start', () => {
    const snapshots = [
      { Condition: step('pending'), Observation: step('pending'), '(referenced)': step('pending') },
      { Condition: step('done', 5, 5), Observation: step('pending'), '(referenced)': step('pending') },
      { Condition: step('done', 5, 5), Observation: step('pending', 10, 40_000), '(referenced)': step('pending') },
      { Condition: step('done', 5, 5), Observation: step('pending', 20_000, 40_000), '(referenced)': step('pending') },
      { Condition: step('done', 5, 5), Observation: step('done', 40_000, 40_000), '(referenced)': step('pending') },
    ];
    const figures = snapshots.map((types) => progressOf(run(types)));
    for (let i = 1; i < figures.length; i++) expect(figures[i]).toBeGreaterThanOrEqual(figures[i - 1]);
    expect(figures[0]).toBe(0);
    expect(figures[4]).toBeCloseTo(2 / 3);
  });

  it('reads 1 once the run has finished and stays under 1 while it runs', () => {
    const types = { Condition: step('done', 5, 5), '(referenced)': step('done') };
    expect(progressOf(run(types))).toBe(0.99);
    expect(progressOf(run(types, 'succeeded'))).toBe(1);
    expect(progressOf(run(types, 'incomplete'))).toBe(1);
  });
});
