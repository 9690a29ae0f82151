// One binder item per clinical event and one line per medicine: the event and medicine keys of
// duplicates.ts, grouped the way the binder index groups stored rows.
import type { DiagnosticReport, DocumentReference, ImagingStudy, MedicationAdministration, MedicationRequest, MedicationStatement, Procedure } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';

import { duplicateKeys, groupDuplicates, type DuplicateCandidate } from '../../../src/records/duplicates.js';

const CPT = 'http://www.ama-assn.org/go/cpt';
const LOCAL = 'urn:oid:1.2.840.114350.1.13.8821.2.7.2.696580';
const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const northside = { portalId: 'northside', portalName: 'Northside Medical Center' };
const riverside = { portalId: 'riverside', portalName: 'Riverside Cancer Institute' };
const subject = { reference: 'Patient/p1' };
const IMAGING = ['imaging-results'];
const OPERATIONS = ['operation-reports'];

type Source = DuplicateCandidate['sources'][number];

function candidate(id: string, resource: unknown, categories: readonly string[], source: Source = northside, accountId?: string): DuplicateCandidate {
  return { id, resource, sources: [source], categories, ...(accountId ? { accountId } : {}) };
}

/** The groups as sorted lists of row ids, sorted: easy to compare whatever the order. */
function groups(records: readonly DuplicateCandidate[]): string[][] {
  return groupDuplicates(records)
    .map((group) => [...group.memberIds].sort())
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

const mammoCodes = [
  { system: LOCAL, code: '55110', display: 'MAMMO SCREENING BILATERAL W CAD' },
  { system: CPT, code: '77067' },
];

function study(id: string, started: string, codes: ImagingStudy['procedureCode'] = [{ coding: mammoCodes }], extra: Partial<ImagingStudy> = {}): ImagingStudy {
  return {
    resourceType: 'ImagingStudy',
    id,
    status: 'available',
    subject,
    started,
    procedureCode: codes,
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'MG' }],
    numberOfSeries: 4,
    numberOfInstances: 8,
    ...extra,
  };
}

function report(id: string, effectiveDateTime: string, coding: Array<{ system: string; code: string; display?: string }> = mammoCodes, extra: Partial<DiagnosticReport> = {}): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    id,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
    code: { coding },
    subject,
    effectiveDateTime,
    conclusion: 'BI-RADS 0: incomplete, needs further imaging.',
    ...extra,
  };
}

function procedure(id: string, performedDateTime: string, coding: Array<{ system: string; code: string; display?: string }> = mammoCodes, extra: Partial<Procedure> = {}): Procedure {
  return { resourceType: 'Procedure', id, status: 'completed', code: { coding }, subject, performedDateTime, ...extra };
}

function note(id: string, related: string[], type = { system: LOINC, code: '11504-8', display: 'Surgical operation note' }): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    type: { coding: [type] },
    subject,
    date: '2023-10-24T19:25:00Z',
    context: { related: related.map((reference) => ({ reference })) },
    content: [{ attachment: { contentType: 'text/plain', url: `Binary/${id}` } }],
  };
}

describe('one item per imaging exam', () => {
  it('joins a procedure, its images and its report linked by reference, with no shared code', () => {
    const records = [
      candidate('1', procedure('proc-1', '2023-09-05T15:40:00Z', [{ system: CPT, code: '77067' }], { report: [{ reference: 'DiagnosticReport/dr-1' }] }), IMAGING),
      candidate('2', report('dr-1', '2023-09-05T15:40:00Z', [{ system: LOINC, code: '24606-6' }], { imagingStudy: [{ reference: 'ImagingStudy/is-1' }] }), IMAGING),
      candidate('3', study('is-1', '2023-09-05T15:40:00Z', [{ coding: [{ system: LOCAL, code: '55110' }] }]), IMAGING),
      candidate('4', note('doc-1', ['DiagnosticReport/dr-1'], { system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }), IMAGING),
    ];
    expect(groups(records)).toEqual([['1', '2', '3', '4']]);
  });

  it('joins images to their procedure by ImagingStudy.procedureReference, and records of one order by basedOn', () => {
    const records = [
      candidate('1', study('is-1', '2023-09-28T18:00:00Z', [], { procedureReference: { reference: 'Procedure/proc-7' } }), IMAGING),
      candidate('2', procedure('proc-7', '2023-09-28T18:00:00Z', [{ system: CPT, code: '77049' }]), IMAGING),
      candidate('3', study('is-2', '2023-11-20T16:30:00Z', [], { basedOn: [{ reference: 'ServiceRequest/order-9' }] }), IMAGING),
      candidate('4', report('dr-2', '2023-11-20T16:30:00Z', [{ system: CPT, code: '71260' }], { basedOn: [{ reference: 'ServiceRequest/order-9' }] }), IMAGING),
    ];
    expect(groups(records)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('joins unlinked records of one exam by their shared procedure code on the same day (the demo mammogram)', () => {
    const records = [
      candidate('1', procedure('proc-1', '2023-09-05T15:40:00Z'), IMAGING),
      candidate('2', study('is-1', '2023-09-05T15:40:00Z'), IMAGING),
      candidate('3', report('dr-1', '2023-09-05T15:40:00Z', [...mammoCodes, { system: LOINC, code: '24606-6', display: 'MG Breast Screening' }]), IMAGING),
    ];
    expect(groups(records)).toEqual([['1', '2', '3']]);
    expect(duplicateKeys(records[1]?.resource, undefined, { portalIds: ['northside'], categories: IMAGING })).toContain(`event:imaging-results:code:${CPT}|77067:2023-09-05`);
  });

  it('never joins two exams on one day with different codes', () => {
    const ct = [{ system: CPT, code: '71260', display: 'CT chest with contrast' }];
    const mri = [{ system: CPT, code: '70553', display: 'MRI brain without and with contrast' }];
    const records = [
      candidate('1', study('is-ct', '2024-02-12T09:00:00Z', [{ coding: ct }]), IMAGING),
      candidate('2', report('dr-ct', '2024-02-12T09:00:00Z', ct), IMAGING),
      candidate('3', study('is-mri', '2024-02-12T11:00:00Z', [{ coding: mri }]), IMAGING),
      candidate('4', report('dr-mri', '2024-02-12T11:00:00Z', mri), IMAGING),
    ];
    expect(groups(records)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps the same exam on two different days apart', () => {
    const records = [candidate('1', report('dr-2023', '2023-09-05T15:40:00Z'), IMAGING), candidate('2', report('dr-2024', '2024-09-10T15:40:00Z'), IMAGING)];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });

  it('does not join two exams that share only a code meaning "any imaging study"', () => {
    const generic = { system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' };
    const records = [
      candidate('1', report('dr-a', '2024-02-12T09:00:00Z', [generic, { system: LOCAL, code: '1001' }]), IMAGING),
      candidate('2', report('dr-b', '2024-02-12T11:00:00Z', [generic, { system: LOCAL, code: '2002' }]), IMAGING),
    ];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });

  it('joins one exam told by two portals, with both sources', () => {
    const records = [candidate('1', study('IS-6600213', '2023-11-20T16:30:00.000Z'), IMAGING, riverside), candidate('2', report('e4unsk', '2023-11-20T10:30:00-06:00'), IMAGING, northside)];
    const [group] = groupDuplicates(records);
    expect(group?.memberIds).toEqual(['1', '2']);
    expect(group?.sources.map((source) => source.portalId)).toEqual(['riverside', 'northside']);
    // The report is the record shown: it carries the status and the conclusion.
    expect(group?.primaryId).toBe('2');
  });

  it('does not follow a reference to another portal: ids are unique only within a portal', () => {
    const records = [
      candidate('1', study('is-1', '2023-11-20T16:30:00Z', [{ coding: [{ system: CPT, code: '71260' }] }]), IMAGING, riverside),
      candidate('2', report('dr-1', '2023-11-20T16:30:00Z', [{ system: CPT, code: '70553' }], { imagingStudy: [{ reference: 'ImagingStudy/is-1' }] }), IMAGING, northside),
    ];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });

  it('never joins records of two patients (accounts), whatever they share', () => {
    const records = [
      candidate('1', study('is-1', '2023-09-05T15:40:00Z'), IMAGING, northside, 'account-a'),
      candidate('2', report('dr-1', '2023-09-05T15:40:00Z', mammoCodes, { imagingStudy: [{ reference: 'ImagingStudy/is-1' }] }), IMAGING, northside, 'account-b'),
    ];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });

  it('joins nothing by event when the records are not filed as imaging, operation or pathology', () => {
    const records = [
      candidate('1', report('dr-lab', '2023-10-17T15:05:00Z', [{ system: LOINC, code: '58410-2' }]), ['health-history-tests']),
      candidate('2', report('dr-lab-2', '2023-10-17T19:05:00Z', [{ system: LOINC, code: '58410-2' }]), ['health-history-tests']),
    ];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });
});

describe('one item per operation', () => {
  it('joins an operation and its operative note, which names it in context.related', () => {
    const lumpectomy = procedure('eQQ18', '2023-10-24T13:40:00Z', [{ system: CPT, code: '19301', display: 'Mastectomy, partial' }]);
    const sentinelNodes = procedure('eyavD', '2023-10-24T13:40:00Z', [{ system: CPT, code: '38525', display: 'Biopsy/excision of axillary nodes' }]);
    const records = [candidate('1', lumpectomy, OPERATIONS), candidate('2', sentinelNodes, OPERATIONS), candidate('3', note('op-note', ['Procedure/eQQ18']), OPERATIONS)];
    expect(groups(records)).toEqual([['1', '3'], ['2']]);
    expect(groupDuplicates(records).find((group) => group.memberIds.includes('3'))?.primaryId).toBe('1');
  });

  it('keeps a discharge summary that refers to the operation as its own item', () => {
    const records = [
      candidate('1', procedure('eQQ18', '2023-10-24T13:40:00Z', [{ system: CPT, code: '19301' }]), OPERATIONS),
      candidate('2', note('discharge', ['Procedure/eQQ18'], { system: LOINC, code: '18842-5', display: 'Discharge summary' }), ['discharge-summaries']),
    ];
    expect(groups(records)).toEqual([['1'], ['2']]);
  });
});

describe('one line per medicine', () => {
  const MEDICINES = ['medicines-and-supplements'];
  const CHEMO = ['medication-treatment-summary'];

  function order(id: string, medication: Partial<MedicationRequest>, authoredOn = '2023-08-30T14:38:00Z'): MedicationRequest {
    return { resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', subject, authoredOn, medicationReference: { display: 'unknown' }, ...medication };
  }

  function statement(id: string, text: string, rxnorm?: { code: string; display: string }): MedicationStatement {
    return {
      resourceType: 'MedicationStatement',
      id,
      status: 'active',
      subject,
      dateAsserted: '2024-07-02T15:00:00Z',
      medicationCodeableConcept: { text, ...(rxnorm ? { coding: [{ system: RXNORM, ...rxnorm }] } : {}) },
    };
  }

  it('joins "lisinopril 10 mg tablet" and "lisinopril (ZESTRIL) 10 mg tablet" from two portals, with both sources', () => {
    const records = [
      candidate('1', order('eqfX', { medicationReference: { reference: 'Medication/e4Ig', display: 'lisinopril (ZESTRIL) 10 mg tablet' } }), MEDICINES, northside),
      candidate('2', statement('MS-550103', 'lisinopril 10 mg tablet', { code: '314076', display: 'lisinopril 10 MG Oral Tablet' }), MEDICINES, riverside),
    ];
    const all = groupDuplicates(records);
    expect(all).toHaveLength(1);
    expect(all[0]?.sources.map((source) => source.portalId)).toEqual(['northside', 'riverside']);
  });

  it('joins the same RxNorm clinical drug however it is named', () => {
    const records = [
      candidate('1', statement('a', 'Zestril 10', { code: '314076', display: 'lisinopril 10 MG Oral Tablet' }), MEDICINES),
      candidate('2', statement('b', 'BP pill', { code: '314076', display: 'lisinopril 10 MG Oral Tablet' }), MEDICINES, riverside),
    ];
    expect(groups(records)).toEqual([['1', '2']]);
  });

  it('keeps two strengths of one drug, and two drugs, apart', () => {
    const records = [
      candidate('1', statement('a', 'lisinopril 10 mg tablet'), MEDICINES),
      candidate('2', statement('b', 'lisinopril 20 mg tablet'), MEDICINES),
      candidate('3', statement('c', 'metformin 500 mg tablet'), MEDICINES),
      candidate('4', statement('d', 'metFORMIN (GLUCOPHAGE) 500 MG tablet'), MEDICINES, riverside),
    ];
    expect(groups(records)).toEqual([['1'], ['2'], ['3', '4']]);
  });

  it('groups the chemotherapy list by drug: its orders and administrations, whatever the dose', () => {
    const docetaxel = { text: 'docetaxel 140 mg in sodium chloride 0.9% 250 mL IVPB' };
    const given = (id: string, effectiveDateTime: string, dose: number, medication = docetaxel): MedicationAdministration => ({
      resourceType: 'MedicationAdministration',
      id,
      status: 'completed',
      subject,
      effectiveDateTime,
      medicationCodeableConcept: medication,
      dosage: { dose: { value: dose, unit: 'mg' } },
    });
    const records = [
      candidate('1', order('rx-1', { medicationCodeableConcept: { text: 'DOCEtaxel (TAXOTERE) 75 mg/m2 IV' } }, '2023-12-04T17:00:00Z'), CHEMO, riverside),
      candidate('2', given('ma-1', '2023-12-11T15:40:00Z', 140), CHEMO, riverside),
      candidate('3', given('ma-2', '2024-01-02T15:40:00Z', 112), CHEMO, riverside),
      candidate('4', given('ma-3', '2023-12-11T16:50:00Z', 1120, { text: 'cyclophosphamide 1,120 mg in NS 250 mL' }), CHEMO, riverside),
    ];
    expect(groups(records)).toEqual([['1', '2', '3'], ['4']]);
  });
});
