import { createHash } from 'node:crypto';

import type { DiagnosticReport, DocumentReference, Immunization, MedicationAdministration, Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';

import { duplicateKeys, groupDuplicates, type DuplicateCandidate } from '../../../src/records/duplicates.js';

const LOINC = 'http://loinc.org';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const hospital = { portalId: 'northlake', portalName: 'Northlake Health' };
const hie = { portalId: 'statehie', portalName: 'State HIE' };
const subject = { reference: 'Patient/p1' };

function glucose(id: string, effectiveDateTime: string | undefined, value: number): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '2345-7', display: 'Glucose' }], text: 'Glucose' },
    subject,
    ...(effectiveDateTime ? { effectiveDateTime } : {}),
    valueQuantity: { value, unit: 'mg/dL' },
  };
}

function record(id: string, resource: unknown, ...sources: DuplicateCandidate['sources'][number][]): DuplicateCandidate {
  return { id, resource, sources };
}

const PATHOLOGY_HASH = 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=';

const pathologyReport: DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'dr-path-1',
  status: 'final',
  identifier: [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.12', value: 'S23-4411' }],
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'SP' }] }],
  code: { coding: [{ system: LOINC, code: '60567-5', display: 'Comprehensive pathology report panel' }], text: 'Surgical Pathology Exam' },
  subject,
  effectiveDateTime: '2023-03-14T11:45:00Z',
  issued: '2023-03-16T15:00:00Z',
  conclusion: 'Invasive ductal carcinoma, grade 2. Margins negative.',
  presentedForm: [{ contentType: 'application/pdf', url: 'https://fhir.northlake.example/api/FHIR/R4/Binary/path-pdf-1', hash: PATHOLOGY_HASH }],
};

const pathologyDocumentAtHie: DocumentReference = {
  resourceType: 'DocumentReference',
  id: 'doc-889',
  status: 'current',
  type: { coding: [{ system: LOINC, code: '11526-1', display: 'Pathology study' }] },
  subject: { reference: 'Patient/hie-77' },
  date: '2023-03-16T15:05:00Z',
  content: [{ attachment: { contentType: 'application/pdf', url: 'https://hie.example/fhir/Binary/9981', hash: PATHOLOGY_HASH, title: 'Surgical pathology' } }],
};

describe('duplicateKeys', () => {
  it('gives identifier, attachment and fact keys in their documented forms', () => {
    const keys = duplicateKeys(pathologyReport);
    expect(keys).toContain('ident:report:urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.12|S23-4411');
    expect(keys).toContain('att:https://fhir.northlake.example/api/FHIR/R4/Binary/path-pdf-1');
    expect(keys).toContain(`hash:sha1:${PATHOLOGY_HASH}`);
    expect(keys).toContain(`fact:report:${LOINC}|60567-5:2023-03-14T11:45:`);
  });

  it('keys a result by code, time and value', () => {
    expect(duplicateKeys(glucose('g', '2024-03-05', 162))).toEqual([`fact:result:${LOINC}|2345-7:2024-03-05:162mg/dl`]);
  });

  it('gives a record with no date no fact key', () => {
    expect(duplicateKeys(glucose('g', undefined, 162))).toEqual([]);
  });

  it('uses a content hash it is given, as written', () => {
    expect(duplicateKeys(pathologyDocumentAtHie, undefined, { contentHashes: ['sha256:abc'] })).toContain('hash:sha256:abc');
  });

  const skippedIdentifiers: Array<{ name: string; identifier: NonNullable<DocumentReference['identifier']>[number] }> = [
    { name: 'one without a system', identifier: { value: '12345' } },
    { name: 'a code system used as identifier system', identifier: { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', value: 'MR' } },
    { name: 'a placeholder value', identifier: { system: 'urn:oid:1.2.3', value: 'unknown' } },
    { name: "the patient's medical record number", identifier: { system: 'urn:oid:1.2.3', value: 'MRN123', type: { coding: [{ code: 'MR' }] } } },
    { name: 'a visit number on a document', identifier: { system: 'urn:oid:1.2.4', value: 'V88', type: { coding: [{ code: 'VN' }] } } },
    { name: 'an RFC 3986 identifier that is not a URI', identifier: { system: 'urn:ietf:rfc:3986', value: '123' } },
  ];
  it.each(skippedIdentifiers)('skips $name', ({ identifier }) => {
    const document: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [], identifier: [identifier] };
    expect(duplicateKeys(document).filter((key) => key.startsWith('ident:'))).toEqual([]);
  });

  it('keys an encounter by its visit number but not by an account number a series of visits can share', () => {
    const visit = (code: string) => ({
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'AMB' },
      identifier: [{ system: 'urn:oid:1.2.243.58', value: '59447595', type: { coding: [{ code }] } }],
    });
    expect(duplicateKeys(visit('VN'))).toEqual(['ident:Encounter:urn:oid:1.2.243.58|59447595']);
    expect(duplicateKeys(visit('AN'))).toEqual([]);
  });

  it('keys relative attachment URLs by portal, because Binary/1 differs between portals', () => {
    const report: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'final', code: {}, presentedForm: [{ url: 'Binary/1' }] };
    expect(duplicateKeys(report)).toEqual([]);
    expect(duplicateKeys(report, undefined, { portalIds: ['northlake'] })).toEqual(['att:northlake:Binary/1']);
  });

  it.each([null, undefined, 'x', 3, [], {}, { resourceType: 'Observation', identifier: 'x', code: 5, effectiveDateTime: [] }])(
    'answers an empty list for untrusted input %j',
    (input) => {
      expect(duplicateKeys(input)).toEqual([]);
    },
  );
});

describe('groupDuplicates', () => {
  it('puts the same pathology report from two portals in one group with both sources, the report as primary', () => {
    const groups = groupDuplicates([record('row-doc', pathologyDocumentAtHie, hie), record('row-dr', pathologyReport, hospital)]);
    expect(groups).toEqual([{ primaryId: 'row-dr', memberIds: ['row-doc', 'row-dr'], sources: [hie, hospital] }]);
  });

  it('groups a report and its document at one portal by their shared attachment URL', () => {
    const document: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { url: 'https://fhir.northlake.example/api/FHIR/R4/Binary/path-pdf-1#page=1' } }],
    };
    const report = { ...pathologyReport, presentedForm: [{ url: 'https://fhir.northlake.example/api/FHIR/R4/Binary/path-pdf-1' }] };
    expect(groupDuplicates([record('a', document, hospital), record('b', report, hospital)])).toHaveLength(1);
  });

  it('groups a report and a document whose inline content is the same bytes', () => {
    const data = Buffer.from('History and physical note\nNo complaints.').toString('base64');
    const report: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'final', code: {}, presentedForm: [{ contentType: 'text/plain', data }] };
    const document: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', data } }] };
    expect(groupDuplicates([record('a', report, hospital), record('b', document, hie)])).toHaveLength(1);
  });

  it('matches inline content to a portal Attachment.hash of the same bytes', () => {
    const bytes = Buffer.from('%PDF-1.7 pathology');
    const hash = createHash('sha1').update(bytes).digest('base64');
    const inline: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { data: bytes.toString('base64') } }] };
    const hashed: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { hash } }] };
    expect(groupDuplicates([record('a', inline, hospital), record('b', hashed, hie)])).toHaveLength(1);
  });

  it('groups records by content hashes the storage layer computed', () => {
    const groups = groupDuplicates([
      { ...record('a', { resourceType: 'DocumentReference', content: [{ attachment: { url: 'Binary/1' } }] }, hospital), contentHashes: ['sha256:ff'] },
      { ...record('b', { resourceType: 'DocumentReference', content: [{ attachment: { url: 'Binary/2' } }] }, hie), contentHashes: ['sha256:ff'] },
    ]);
    expect(groups).toHaveLength(1);
  });

  it('keeps relative attachment URLs at different portals apart', () => {
    const at = (portal: typeof hospital): DuplicateCandidate =>
      record(portal.portalId, { resourceType: 'DiagnosticReport', code: {}, presentedForm: [{ url: 'Binary/1' }] }, portal);
    expect(groupDuplicates([at(hospital), at(hie)])).toHaveLength(2);
  });

  it('keeps same-day glucose results with different values as two facts', () => {
    const groups = groupDuplicates([record('a', glucose('g1', '2024-03-05', 162), hospital), record('b', glucose('g2', '2024-03-05', 98), hie)]);
    expect(groups.map((group) => group.memberIds)).toEqual([['a'], ['b']]);
  });

  it('groups the same glucose result reported by two portals', () => {
    const groups = groupDuplicates([record('a', glucose('g1', '2024-03-05', 162), hospital), record('b', glucose('x9', '2024-03-05', 162.0), hie)]);
    expect(groups).toEqual([{ primaryId: 'a', memberIds: ['a', 'b'], sources: [hospital, hie] }]);
  });

  it('matches the same instant written in two time zones', () => {
    const groups = groupDuplicates([
      record('a', glucose('g1', '2024-03-05T13:10:00Z', 162), hospital),
      record('b', glucose('g2', '2024-03-05T08:10:00-05:00', 162), hie),
    ]);
    expect(groups).toHaveLength(1);
  });

  it('keeps two equal results taken at different times of one day apart', () => {
    const groups = groupDuplicates([record('a', glucose('g1', '2024-03-05T07:00:00Z', 110), hospital), record('b', glucose('g2', '2024-03-05T19:00:00Z', 110), hospital)]);
    expect(groups).toHaveLength(2);
  });

  it('does not group results of one panel that carry their order number', () => {
    const panelMember = (id: string, code: string): Observation => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      identifier: [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.798268', value: 'ORD-5541' }],
      code: { coding: [{ system: LOINC, code }] },
      effectiveDateTime: '2024-03-05T07:00:00Z',
      valueQuantity: { value: 4.1 },
    });
    expect(groupDuplicates([record('a', panelMember('o1', '6690-2'), hospital), record('b', panelMember('o2', '789-8'), hospital)])).toHaveLength(2);
  });

  it('groups two documents with the same business identifier', () => {
    const note = (id: string): DocumentReference => ({
      resourceType: 'DocumentReference',
      id,
      status: 'current',
      identifier: [{ system: 'urn:oid:1.2.840.114350.1.72.3.15', value: '89478234' }],
      content: [],
    });
    expect(groupDuplicates([record('a', note('n1'), hospital), record('b', note('n2'), hie)])).toHaveLength(1);
  });

  it('keeps two notes of one type on one day apart', () => {
    const note = (id: string, url: string): DocumentReference => ({
      resourceType: 'DocumentReference',
      id,
      status: 'current',
      type: { coding: [{ system: LOINC, code: '11506-3', display: 'Progress note' }] },
      date: '2024-01-09',
      content: [{ attachment: { url } }],
    });
    expect(groupDuplicates([record('a', note('n1', 'https://p/Binary/1'), hospital), record('b', note('n2', 'https://p/Binary/2'), hospital)])).toHaveLength(2);
  });

  it('groups the same vaccine on the same day, matched through a shared CVX code', () => {
    const flu = (id: string, codes: Immunization['vaccineCode']['coding'], occurrenceDateTime: string): Immunization => ({
      resourceType: 'Immunization',
      id,
      status: 'completed',
      patient: subject,
      vaccineCode: { coding: codes ?? [] },
      occurrenceDateTime,
    });
    const groups = groupDuplicates([
      record('a', flu('i1', [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.768076', code: '134' }, { system: CVX, code: '150' }], '2023-10-17T15:21:00Z'), hospital),
      record('b', flu('i2', [{ system: CVX, code: '150' }], '2023-10-17'), hie),
      record('c', flu('i3', [{ system: CVX, code: '150' }], '2024-10-20'), hie),
    ]);
    expect(groups.map((group) => group.memberIds)).toEqual([['a', 'b'], ['c']]);
  });

  it('keeps two doses of one drug given at different times of a day apart, and groups one dose told twice', () => {
    const dose = (id: string, effectiveDateTime: string): MedicationAdministration => ({
      resourceType: 'MedicationAdministration',
      id,
      status: 'completed',
      subject,
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: '4492' }] },
      effectiveDateTime,
      dosage: { dose: { value: 800, unit: 'mg' } },
    });
    const groups = groupDuplicates([
      record('a', dose('m1', '2022-12-05T11:48:00-06:00'), hospital),
      record('b', dose('m2', '2022-12-05T19:48:00-06:00'), hospital),
      record('c', dose('x1', '2022-12-05T17:48:00Z'), hie),
    ]);
    expect(groups.map((group) => group.memberIds)).toEqual([['a', 'c'], ['b']]);
  });

  it('joins chains of shared keys into one group', () => {
    const report = { ...pathologyReport, presentedForm: [{ url: 'https://a.example/Binary/1' }] };
    const sameUrl: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { url: 'https://a.example/Binary/1', hash: 'h2' } }] };
    const sameHash: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { hash: 'h2' } }] };
    const groups = groupDuplicates([record('c', sameHash, hie), record('b', sameUrl, hie), record('a', report, hospital)]);
    expect(groups).toEqual([{ primaryId: 'a', memberIds: ['c', 'b', 'a'], sources: [hie, hospital] }]);
  });

  it('picks the record with more fields as primary when neither is a report', () => {
    const sparse = glucose('g1', '2024-03-05', 162);
    const rich: Observation = { ...glucose('g2', '2024-03-05', 162), referenceRange: [{ low: { value: 70 }, high: { value: 99 } }], interpretation: [{ text: 'High' }] };
    expect(groupDuplicates([record('sparse', sparse, hospital), record('rich', rich, hie)])[0]?.primaryId).toBe('rich');
  });

  it('puts every record in exactly one group, even ones with no keys', () => {
    const groups = groupDuplicates([record('a', { resourceType: 'Patient', id: 'p1' }, hospital), record('b', null, hie), record('c', glucose('g', undefined, 1), hie)]);
    expect(groups.map((group) => group.memberIds)).toEqual([['a'], ['b'], ['c']]);
  });

  it('merges the same resource synced twice from one portal', () => {
    expect(groupDuplicates([record('a', { resourceType: 'Patient', id: 'p1' }, hospital), record('b', { resourceType: 'Patient', id: 'p1' }, hospital)])).toHaveLength(1);
  });

  it('does not throw on untrusted records', () => {
    const junk = [null, 5, { id: 'x' }, { id: 'y', resource: 'text', sources: 'nope' }, { id: 'z', resource: {}, sources: [null, { portalId: 3 }] }] as unknown as DuplicateCandidate[];
    expect(groupDuplicates(junk).map((group) => group.memberIds)).toEqual([['x'], ['y'], ['z']]);
    expect(groupDuplicates('nonsense' as unknown as DuplicateCandidate[])).toEqual([]);
  });
});
