import { describe, expect, it } from 'vitest';
import { readProblem } from '../../../web/src/problem.js';
import { narrativeOf, resourceSummary } from '../../../web/src/resource-summary.js';
import { continuationText, fractionsText, linkedTreatmentText, sideEffectStatusText } from '../../../web/src/summary-text.js';
import { isSyncActive, linkMaySync, progressValue, syncStatusText } from '../../../web/src/sync.js';
import type { LinkedTreatment, SyncStatus } from '../../../web/src/types.js';
import { documentKind, documentViewerPath, filterQuery, readFilter, safeNavigationUrl, safeNextPath } from '../../../web/src/urls.js';

const status = (overrides: Partial<SyncStatus>): SyncStatus => ({
  state: 'running',
  jobId: 'j1',
  fullPass: false,
  startedAt: null,
  finishedAt: null,
  pagesDone: 0,
  progress: 0,
  types: {},
  errors: [],
  warnings: [],
  ...overrides,
});

describe('sync progress', () => {
  it('should treat queued and running as active', () => {
    expect(['queued', 'running'].map(isSyncActive)).toEqual([true, true]);
    expect(['idle', 'succeeded', 'failed', null].map(isSyncActive)).toEqual([false, false, false, false]);
  });

  it('should poll a link that is syncing or whose last sync has not finished', () => {
    expect(linkMaySync({ status: 'syncing', lastSync: { startedAt: null, finishedAt: null, state: null } })).toBe(true);
    expect(linkMaySync({ status: 'active', lastSync: { startedAt: 'x', finishedAt: null, state: 'queued' } })).toBe(true);
    expect(linkMaySync({ status: 'active', lastSync: { startedAt: 'x', finishedAt: 'y', state: 'succeeded' } })).toBe(false);
  });

  it('should show a queued sync as an indeterminate bar and clamp estimates', () => {
    expect(progressValue({ state: 'queued', progress: 0.5 })).toBeNull();
    expect(progressValue({ state: 'running', progress: 1.7 })).toBe(1);
    expect(progressValue({ state: 'running', progress: -1 })).toBe(0);
    expect(progressValue({ state: 'running', progress: Number.NaN })).toBe(0);
    expect(progressValue({ state: 'succeeded', progress: 0.2 })).toBe(1);
  });

  it('should put the state in words', () => {
    expect(syncStatusText(status({ state: 'queued' }))).toBe('Waiting to start…');
    expect(syncStatusText(status({ progress: 0.424, pagesDone: 12 }), 'en')).toBe('Fetching records: 42% (12 pages)');
    expect(
      syncStatusText(
        status({
          state: 'succeeded',
          types: {
            Observation: { fetched: 10, stored: 9, rejected: 1, pages: 1, expected: 10, status: 'done' },
            Condition: { fetched: 3, stored: 3, rejected: 0, pages: 1, expected: null, status: 'done' },
          },
          warnings: ['w'],
        }),
      ),
    ).toBe('Finished: 12 records stored, 1 warning.');
    expect(syncStatusText(status({ state: 'failed', errors: ['portal said 500'] }))).toBe('Sync failed: portal said 500.');
    expect(
      syncStatusText(status({ state: 'incomplete', types: { DocumentReference: { fetched: 2, stored: 2, rejected: 0, pages: 1, expected: 2, status: 'done' } }, errors: ['1 attachment(s) could not be fetched; the next sync tries again: https://p.example/Binary/1 (the portal answered HTTP 404)'] })),
    ).toBe('Finished: 2 records stored, but 1 attachment(s) could not be fetched; the next sync tries again: https://p.example/Binary/1 (the portal answered HTTP 404).');
    expect(progressValue({ state: 'incomplete', progress: 0.5 })).toBe(1);
  });
});

describe('problem bodies', () => {
  it('should take the detail of a problem+json body', () => {
    expect(readProblem(409, 'Conflict', 'application/problem+json; charset=utf-8', JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'That email is taken.' }))).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'That email is taken.',
    });
  });

  it('should still say something for an HTML error page or a broken body', () => {
    expect(readProblem(502, 'Bad Gateway', 'text/html', '<html>oops</html>').detail).toBe('carebinder could not answer (502 Bad Gateway). Try again in a moment.');
    expect(readProblem(400, 'Bad Request', 'application/json', '{not json').detail).toBe('The request was refused (400 Bad Request).');
    expect(readProblem(400, '', 'application/json', '{"title":"Bad Request"}').detail).toBe('The request was refused (400 Bad Request).');
  });
});

describe('URLs', () => {
  it('should follow only web addresses to a portal', () => {
    expect(safeNavigationUrl('https://portal.example/authorize?x=1', 'http://localhost:3000/portals')).toBe('https://portal.example/authorize?x=1');
    expect(safeNavigationUrl('/sandbox/authorize', 'http://localhost:3000/portals')).toBe('http://localhost:3000/sandbox/authorize');
    expect(safeNavigationUrl('javascript:alert(1)', 'http://localhost:3000/')).toBeNull();
    expect(safeNavigationUrl('data:text/html,hi', 'http://localhost:3000/')).toBeNull();
    expect(safeNavigationUrl('http://[bad', 'http://localhost:3000/')).toBeNull();
  });

  it.each([
    ['/portals?link=success&portal=riverside', '/portals?link=success&portal=riverside'],
    ['/binder#cat-vaccines', '/binder#cat-vaccines'],
    ['//evil.example/x', '/'],
    ['/\\evil.example/x', '/'],
    // Dot segments resolve to "//evil.example", which a browser reads as another host.
    ['/..//evil.example', '/'],
    ['/a/../..//evil.example/x?y=1', '/'],
    ['/.//evil.example', '/'],
    ['/%2e%2e//evil.example', '/'],
    ['/binder/../portals', '/portals'],
    ['https://evil.example/', '/'],
    ['binder', '/'],
    [null, '/'],
  ])('should go back to %j after sign-in as %j', (next, expected) => {
    expect(safeNextPath(next, 'http://localhost:3000')).toBe(expected);
  });

  it.each([
    ['application/pdf', 'pdf'],
    ['application/PDF; name=x.pdf', 'pdf'],
    ['text/plain; charset=utf-8', 'text'],
    ['text/html', 'text'],
    ['application/fhir+json', 'text'],
    ['image/png', 'image'],
    ['image/svg+xml', 'other'],
    // The server sends only PNG, JPEG, GIF and WebP inline; other images arrive as downloads.
    ['image/bmp', 'other'],
    ['application/dicom', 'other'],
    [null, 'other'],
  ])('should show %j as %j', (type, kind) => {
    expect(documentKind(type)).toBe(kind);
  });

  it('should build the viewer address from the id, escaping it', () => {
    expect(documentViewerPath({ id: 'a/b c', contentType: 'application/pdf', url: 'Binary/7' }, 'r1')).toBe('/documents/a%2Fb%20c?type=application%2Fpdf&record=r1&src=Binary%2F7');
    expect(documentViewerPath({ id: 'x', contentType: null, url: null })).toBe('/documents/x');
  });

  it('should read and write the binder filter, dropping malformed dates', () => {
    expect(readFilter('?portal=riverside&from=2024-01-01&to=yesterday')).toEqual({ portal: 'riverside', from: '2024-01-01' });
    expect(filterQuery({ portal: 'riverside', to: '2024-12-31' }, { limit: 50, cursor: null })).toBe('?portal=riverside&to=2024-12-31&limit=50');
    expect(filterQuery({})).toBe('');
  });
});

describe('treatment summary words', () => {
  it('should name linked treatments once each', () => {
    const treatment = (kind: LinkedTreatment['kind'], name: string): LinkedTreatment => ({ kind, name, firstDate: null, lastDate: null, ongoing: false });
    expect(linkedTreatmentText({ linkedTreatments: [treatment('medicine', 'paclitaxel')] })).toBe('paclitaxel');
    expect(linkedTreatmentText({ linkedTreatments: [treatment('medicine', 'paclitaxel'), treatment('radiation', 'IMRT to breast'), treatment('medicine', 'paclitaxel')] })).toBe(
      'paclitaxel, IMRT to breast',
    );
    expect(linkedTreatmentText({ linkedTreatments: [] })).toBe('');
  });

  it('should answer "continued after treatment?" in words', () => {
    expect((['yes', 'no', 'unknown'] as const).map(continuationText)).toEqual(['Yes', 'No', 'Unknown']);
  });

  it('should combine a side effect status with when it ended', () => {
    expect(sideEffectStatusText({ clinicalStatus: 'resolved', abatement: '2024-06-01' }, 'en-GB')).toBe('Resolved, ended 1 Jun 2024');
    expect(sideEffectStatusText({ clinicalStatus: 'active', abatement: null })).toBe('Active');
    expect(sideEffectStatusText({ clinicalStatus: null, abatement: 'after chemo' })).toBe('After chemo');
  });

  it('should show the dose per fraction when the total is known', () => {
    expect(fractionsText({ fractions: 28, totalDoseGy: 50.4 }, 'en')).toBe('28 (1.8 Gy each)');
    expect(fractionsText({ fractions: 5, totalDoseGy: null }, 'en')).toBe('5');
    expect(fractionsText({ fractions: null, totalDoseGy: 50 }, 'en')).toBe('');
  });
});

describe('resource summary', () => {
  const observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
    category: [{ text: 'Laboratory' }],
    effectiveDateTime: '2024-03-05T08:00:00Z',
    valueQuantity: { value: 11.2, unit: 'g/dL' },
    note: [{ text: 'Repeat in a week.' }],
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Hb 11.2</div>' },
  };

  it('should pick the fields a patient recognises, in order', () => {
    expect(resourceSummary(observation, 'en-GB')).toEqual([
      { label: 'Kind of record', value: 'Observation' },
      { label: 'What', value: 'Hemoglobin' },
      { label: 'Category', value: 'Laboratory' },
      { label: 'When', value: '5 Mar 2024' },
      { label: 'Status', value: 'Final' },
      { label: 'Result', value: '11.2 g/dL' },
      { label: 'Note', value: 'Repeat in a week.' },
    ]);
  });

  it('should split resource type names into words and survive junk', () => {
    expect(resourceSummary({ resourceType: 'MedicationAdministration', effectivePeriod: { start: '2024-01-01', end: '2024-01-02' } }, 'en-GB')).toEqual([
      { label: 'Kind of record', value: 'Medication administration' },
      { label: 'When', value: '1 Jan 2024 – 2 Jan 2024' },
    ]);
    expect(resourceSummary(null)).toEqual([]);
    expect(resourceSummary([1, 2])).toEqual([]);
  });

  it('should hand over the narrative only when there is one', () => {
    expect(narrativeOf(observation)).toContain('Hb 11.2');
    expect(narrativeOf({ text: { div: 42 } })).toBeNull();
  });
});
