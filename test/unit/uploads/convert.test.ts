import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/records/classify/index.js';
import { convertDocument, convertFhir, proposeCategory, type UploadMeta } from '../../../src/uploads/convert.js';
import { patientMismatch } from '../../../src/uploads/patient-check.js';

const meta: UploadMeta = {
  uploadId: 'u1',
  fileName: 'scan.pdf',
  kind: 'pdf',
  contentType: 'application/pdf',
  category: null,
  title: null,
  date: null,
  uploadedAt: '2024-05-01T10:00:00.000Z',
};

describe('convertFhir', () => {
  it('takes the entries of any Bundle, naming resources without an id by their fullUrl', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555', resource: { resourceType: 'Patient', name: [{ given: ['Ann'], family: 'Lee' }], birthDate: '1980-02-03' } },
        { fullUrl: 'urn:uuid:99999999-2222-4333-8444-555555555555', resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:11111111-2222-4333-8444-555555555555' } } },
        { resource: { resourceType: 'Observation' } },
      ],
    };
    const converted = convertFhir(JSON.stringify(bundle), 'fhir-json');
    expect(converted.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual([
      'Patient/11111111-2222-4333-8444-555555555555',
      'Condition/99999999-2222-4333-8444-555555555555',
      'Observation/upload-3',
    ]);
    expect(converted.patientId).toBe('11111111-2222-4333-8444-555555555555');
    expect(converted.patient).toEqual({ name: 'Ann Lee', birthDate: '1980-02-03' });
  });

  it('turns a Binary into the document its DocumentReference points at', () => {
    const data = Buffer.from('%PDF-1.4 test').toString('base64');
    const converted = convertFhir(
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Binary', id: 'b1', contentType: 'application/pdf', data } }, { resource: { resourceType: 'DocumentReference', id: 'd1', content: [{ attachment: { url: 'Binary/b1' } }] } }] }),
      'fhir-json',
    );
    expect(converted.resources.map((r) => r.resourceType)).toEqual(['DocumentReference']);
    expect(converted.documents).toEqual([{ url: 'Binary/b1', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 test') }]);
  });

  it('takes the patient most resources name when the file has no Patient, and warns about several patients', () => {
    const lines = [
      { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/a' } },
      { resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/a' } },
      { resourceType: 'Condition', id: 'c3', subject: { reference: 'Patient/b' } },
    ];
    expect(convertFhir(lines.map((l) => JSON.stringify(l)).join('\n'), 'fhir-ndjson').patientId).toBe('a');
    const two = convertFhir(JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient', id: 'a' } }, { resource: { resourceType: 'Patient', id: 'b' } }] }), 'fhir-json');
    expect(two.warnings.join(' ')).toContain('2 patients');
  });
});

describe('convertDocument', () => {
  it('files under the chosen category, with the file as its only attachment and the given date', () => {
    const bytes = Buffer.from('%PDF-1.4');
    const converted = convertDocument(bytes, { ...meta, category: 'operation-reports', title: 'Op note', date: '2024-02' }, null);
    const [reference] = converted.resources;
    expect(classify(reference)).toEqual(['operation-reports']);
    expect(reference).toMatchObject({ description: 'Op note', context: { period: { start: '2024-02' } }, content: [{ attachment: { url: 'Binary/original', contentType: 'application/pdf', size: 8, creation: '2024-02' } }] });
    expect(converted.documents).toEqual([{ url: 'Binary/original', contentType: 'application/pdf', content: bytes }]);
    expect(converted.warnings).toEqual([]);
  });

  it('a chosen category wins over what the title says', () => {
    const [reference] = convertDocument(Buffer.from('x'), { ...meta, category: 'vaccines', title: 'CT chest' }, null).resources;
    expect(classify(reference)).toEqual(['vaccines']);
  });
});

describe('proposeCategory', () => {
  it.each([
    { title: 'Pathology report', text: null, category: 'pathology-reports' },
    { title: 'scan.pdf', text: 'MRI BRAIN WITH AND WITHOUT CONTRAST\nClinical history: headache', category: 'imaging-results' },
    { title: 'scan.pdf', text: 'Operative Report\nSurgeon: Dr. Smith', category: 'operation-reports' },
    { title: 'scan.pdf', text: 'Hospital Discharge Summary\nAdmitted 2024-01-01', category: 'discharge-summaries' },
    { title: 'scan.pdf', text: null, category: null },
    // Only the heading counts: a note that mentions a CT further down is not an imaging result.
    { title: 'letter.pdf', text: 'Dear Jane,\nThank you for coming in.\nWe talked.\nSee you soon.\nBest wishes.\nYour CT scan of the chest was normal.', category: null },
  ])('"$title" with text "$text" → $category', ({ title, text, category }) => {
    expect(proposeCategory(title, text)).toBe(category);
  });
});

describe('patientMismatch', () => {
  const known = [{ name: 'Jane Q. Doe', birthDate: '1970-05-12' }];
  it.each([
    { upload: { name: 'JANE DOE', birthDate: '1970-05-12' }, warnings: 0 },
    { upload: { name: 'Jane Doe-Smith', birthDate: null }, warnings: 0 },
    { upload: { name: 'Doe, Jane', birthDate: '1970-05-12' }, warnings: 0 },
    { upload: { name: 'Jane Smith', birthDate: '1970-05-12' }, warnings: 1 },
    { upload: { name: 'Zoë Doe', birthDate: '1970-05-12' }, warnings: 1 },
    { upload: { name: 'Jane Doe', birthDate: '1971-05-12' }, warnings: 1 },
    { upload: { name: 'John Smith', birthDate: '1955-01-01' }, warnings: 2 },
    { upload: null, warnings: 0 },
  ])('$upload → $warnings warning(s)', ({ upload, warnings }) => {
    expect(patientMismatch(upload, known)).toHaveLength(warnings);
  });

  it('says nothing when the account knows nothing about its patient', () => {
    expect(patientMismatch({ name: 'John Smith', birthDate: '1955-01-01' }, [])).toEqual([]);
  });
});
