// What is missing: the gap rules over stored records (pure), table-driven.
import { describe, expect, it } from 'vitest';
import type { CategoryId } from '../../../src/records/categories.js';
import { checklistCategories, findGaps, type ChecklistRecord } from '../../../src/records/checklist.js';
import { classify } from '../../../src/records/classify/index.js';

let next = 0;
function record(resource: Record<string, unknown>, options: { portal?: string; group?: string } = {}): ChecklistRecord {
  next += 1;
  const portalId = options.portal ?? 'north';
  return { id: String(next), resource, categories: classify(resource), sources: [{ portalId, portalName: portalId }], ...(options.group ? { group: options.group } : {}) };
}

const snomed = (code: string, display: string) => ({ coding: [{ system: 'http://snomed.info/sct', code, display }] });
const operation = (id: string, date: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Procedure',
  id,
  status: 'completed',
  code: snomed('392021009', 'Lumpectomy of breast'),
  performedDateTime: date,
  ...extra,
});
const note = (id: string, date: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'DocumentReference',
  id,
  status: 'current',
  type: { coding: [{ system: 'http://loinc.org', code: '11504-8', display: 'Surgical operation note' }] },
  date,
  ...extra,
});
const pathology = (id: string, date: string) => ({
  resourceType: 'DiagnosticReport',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '11529-5', display: 'Surgical pathology study' }] },
  effectiveDateTime: date,
});
const kinds = (records: ChecklistRecord[]) => findGaps(records).map((gap) => gap.kind).sort();

describe('findGaps', () => {
  it.each([
    ['its note two days later', [note('n', '2024-03-07')], []],
    ['its note the day before (dictated ahead)', [note('n', '2024-03-04')], []],
    ['a note 40 days later', [note('n', '2024-04-14')], ['operation-report']],
    ['a note 40 days later that names it', [note('n', '2024-04-14', { context: { related: [{ reference: 'Procedure/op' }] } })], []],
    ['only a discharge summary the same day', [{ resourceType: 'DocumentReference', id: 'd', type: { coding: [{ system: 'http://loinc.org', code: '18842-5' }] }, date: '2024-03-05' }], ['operation-report']],
    ['a note withdrawn', [note('n', '2024-03-06', { status: 'entered-in-error' })], ['operation-report']],
  ])('an operation with %s', (_what, others, expected) => {
    const records = [record(operation('op', '2024-03-05')), record(pathology('p', '2024-03-08')), ...others.map((other) => record(other))];
    expect(kinds(records)).toEqual(expected);
  });

  it('asks once for an operation two portals delivered (one binder item)', () => {
    const records = [record(operation('op', '2024-03-05'), { portal: 'north', group: 'g1' }), record(operation('op-2', '2024-03-05'), { portal: 'south', group: 'g1' })];
    expect(findGaps(records).filter((gap) => gap.kind === 'operation-report')).toHaveLength(1);
  });

  it('does not link a report to an event of another portal by reference, only by date', () => {
    const far = record(note('n', '2024-06-01', { context: { related: [{ reference: 'Procedure/op' }] } }), { portal: 'south' });
    expect(kinds([record(operation('op', '2024-03-05')), record(pathology('p', '2024-03-06')), far])).toEqual(['operation-report']);
  });

  it.each([
    ['ICD-10-PCS excision', { coding: [{ system: 'http://www.cms.gov/Medicare/Coding/ICD10', code: '0HBT0ZZ' }] }, true],
    ['CPT prostate biopsy', { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '55700' }] }, true],
    ['the words "core needle biopsy"', { text: 'Core needle biopsy of left breast' }, true],
    ['a surgical pathology exam (CPT 88305)', { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '88305', display: 'Surgical pathology, gross and microscopic' }] }, false],
    ['a knee arthroscopy', { text: 'Arthroscopy of knee' }, false],
  ])('takes tissue to pathology: %s → %s', (_what, code, expected) => {
    const gaps = findGaps([record({ resourceType: 'Procedure', id: 'x', status: 'completed', code, performedDateTime: '2024-01-10' })]);
    expect(gaps.some((gap) => gap.kind === 'pathology-report')).toBe(expected);
  });

  it('asks for the pathology of a needle biopsy, not an operation report', () => {
    const needle = { resourceType: 'Procedure', id: 'nb', status: 'completed', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '19083' }], text: 'US guided core needle biopsy breast right' }, performedDateTime: '2023-09-14' };
    expect(kinds([record(needle)])).toEqual(['pathology-report']);
    const open = { ...needle, id: 'ob', code: snomed('396487001', 'Sentinel lymph node biopsy') };
    expect(kinds([record(open)])).toEqual(['operation-report', 'pathology-report']);
  });

  it("falls back to the organization the portal's records name most, else the portal; an upload names no one", () => {
    const lone = operation('op', '2024-03-05', { performer: [{ actor: { reference: 'Practitioner/p', display: 'Dr P' } }] });
    const org = { resourceType: 'Organization', id: 'o', name: 'Acme Hospital', address: [{ text: '1 Road' }] };
    const visit = { resourceType: 'Encounter', id: 'e', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, period: { start: '2020-01-01' }, serviceProvider: { reference: 'Organization/o' } };
    const named = (records: ChecklistRecord[]) => findGaps(records).find((gap) => gap.kind === 'operation-report')?.organization;
    expect(named([record(lone), record(org), record(visit)])).toEqual({ name: 'Acme Hospital', address: '1 Road', phone: null, fax: null });
    expect(named([record(lone, { portal: 'riverside' })])).toEqual({ name: 'riverside', address: null, phone: null, fax: null });
    expect(named([record(lone, { portal: 'upload:1' })])).toBeNull();
  });

  it('finds a stay without its discharge summary, and not one whose summary names it', () => {
    const stay = (id: string, start: string, end: string) => ({ resourceType: 'Encounter', id, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, period: { start, end } });
    const summary = { resourceType: 'DocumentReference', id: 'ds', status: 'current', type: { coding: [{ system: 'http://loinc.org', code: '18842-5' }] }, date: '2025-01-01', context: { encounter: [{ reference: 'Encounter/b' }] } };
    const gaps = findGaps([record(stay('a', '2024-01-01', '2024-01-04')), record(stay('b', '2024-05-01', '2024-05-03')), record(summary)]);
    expect(gaps.map((gap) => [gap.kind, gap.event.date, gap.event.endDate])).toEqual([['discharge-summary', '2024-01-01', '2024-01-04']]);
  });

  it('takes an ImagingStudy for its own Procedure (one exam, one gap), and an exam with a report a few days later has none', () => {
    const procedure = { resourceType: 'Procedure', id: 'ct', status: 'completed', code: snomed('77477000', 'Computed tomography'), performedDateTime: '2024-02-01' };
    const study = { resourceType: 'ImagingStudy', id: 's', status: 'available', started: '2024-02-01', procedureReference: { reference: 'Procedure/ct' } };
    expect(findGaps([record(procedure), record(study)]).map((gap) => [gap.kind, gap.event.resourceType])).toEqual([['imaging-report', 'ImagingStudy']]);
    const report = { resourceType: 'DiagnosticReport', id: 'r', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '18747-6', display: 'CT study' }] }, effectiveDateTime: '2024-02-03' };
    expect(findGaps([record(procedure), record(study), record(report)])).toEqual([]);
  });

  it('names the organization: onBehalfOf first, a contained one, a location with its managing organization, else a display name', () => {
    const org = { resourceType: 'Organization', id: 'o', name: 'Acme Hospital', telecom: [{ system: 'fax', value: '555-1' }], address: [{ text: '1 Road, Town' }] };
    const contained = operation('op1', '2020-01-01', { contained: [{ resourceType: 'Organization', id: 'c', name: 'Inline Clinic' }], performer: [{ actor: { reference: '#c' } }] });
    const onBehalf = operation('op2', '2021-01-01', { performer: [{ actor: { reference: 'Practitioner/p', display: 'Dr P' }, onBehalfOf: { reference: 'Organization/o' } }] });
    const displayed = operation('op3', '2022-01-01', { location: { reference: 'Location/l', display: 'Day Surgery Unit' } });
    const organizations = new Map(findGaps([record(org), record(contained), record(onBehalf), record(displayed)]).filter((gap) => gap.kind === 'operation-report').map((gap) => [gap.event.date, gap.organization]));
    expect(organizations.get('2020-01-01')).toEqual({ name: 'Inline Clinic', address: null, phone: null, fax: null });
    expect(organizations.get('2021-01-01')).toEqual({ name: 'Acme Hospital', address: '1 Road, Town', phone: null, fax: '555-1' });
    expect(organizations.get('2022-01-01')).toEqual({ name: 'Day Surgery Unit', address: null, phone: null, fax: null });
  });

  it('finds a radiation course without its summary, and not one with it', () => {
    const fraction = (id: string, date: string) => ({ resourceType: 'Procedure', id, status: 'completed', code: snomed('1217123003', 'Radiotherapy course of treatment'), performedDateTime: date });
    const course = [record(fraction('f1', '2024-04-01')), record(fraction('f2', '2024-04-08')), record(fraction('f3', '2024-04-15'))];
    expect(findGaps(course).map((gap) => [gap.kind, gap.event.date, gap.event.endDate])).toEqual([['radiation-summary', '2024-04-01', '2024-04-15']]);
    const summary = { resourceType: 'DocumentReference', id: 'rs', status: 'current', type: { text: 'Radiation oncology treatment summary' }, date: '2024-05-01' };
    expect(findGaps([...course, record(summary)])).toEqual([]);
  });

  it('skips what did not happen and survives odd input', () => {
    expect(findGaps([record(operation('op', '2024-03-05', { status: 'not-done' })), record(operation('op2', '2024-03-05', { status: 'entered-in-error' }))])).toEqual([]);
    expect(findGaps([{ id: '1', resource: null, categories: [], sources: [] }, { id: '2', resource: 'x', categories: ['operation-reports'], sources: [] }])).toEqual([]);
  });
});

describe('checklistCategories', () => {
  it('says missing for an empty category, incomplete for one with a gap, have for the rest', () => {
    const filed = new Map<CategoryId, { count: number; lastDate: string | null }>([
      ['operation-reports', { count: 2, lastDate: '2024-03-05' }],
      ['vaccines', { count: 1, lastDate: '2023-10-01' }],
    ]);
    const rows = checklistCategories(filed, [{ category: 'operation-reports' }, { category: 'discharge-summaries' }]);
    expect(rows).toHaveLength(11);
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId['operation-reports']).toEqual({ id: 'operation-reports', title: 'Operation reports', status: 'incomplete', count: 2, lastDate: '2024-03-05' });
    expect(byId.vaccines.status).toBe('have');
    expect(byId['discharge-summaries'].status).toBe('missing');
  });
});
