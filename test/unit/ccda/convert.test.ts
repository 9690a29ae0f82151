import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/records/classify/index.js';
import { CdaRefusedError, convertCcda, type Resource } from '../../../src/records/ccda/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/ccda/${name}`, import.meta.url), 'utf8');
const options = { fileName: 'doc.xml', category: null, title: null, date: null, tags: [] };
const ofType = (resources: Resource[], type: string) => resources.filter((r) => r.resourceType === type);
const documentOf = (resources: Resource[]) => ofType(resources, 'DocumentReference')[0] as Resource & {
  type: { coding: Array<{ system: string; code: string }> };
  content: Array<{ attachment: { url: string; contentType: string } }>;
  context?: { period: { start?: string; end?: string } };
};

describe('convertCcda: the document itself', () => {
  it.each([
    { file: 'ccd-r2.1.xml', code: '34133-9', categories: [] },
    { file: 'discharge-summary-r1.1.xml', code: '18842-5', categories: ['discharge-summaries'] },
    { file: 'operative-note-r2.1.xml', code: '11504-8', categories: ['operation-reports'] },
    { file: 'imaging-report-r2.1.xml', code: '18748-4', categories: ['imaging-results'] },
    { file: 'progress-note-r2.1.xml', code: '11506-3', categories: [] },
    { file: 'consultation-note-r1.1.xml', code: '11488-4', categories: [] },
    { file: 'unstructured-pathology-pdf.xml', code: '11526-1', categories: ['pathology-reports'] },
    { file: 'unstructured-text-r1.1.xml', code: '18842-5', categories: ['discharge-summaries'] },
  ])('keeps $file as a DocumentReference typed LOINC $code, filed as $categories, with the original XML', ({ file, code, categories }) => {
    const converted = convertCcda(fixture(file), options);
    const document = documentOf(converted.resources);
    expect(document.type.coding).toEqual([expect.objectContaining({ system: 'http://loinc.org', code })]);
    expect(classify(document)).toEqual(categories);
    const original = converted.documents.find((d) => d.url === 'Binary/original')!;
    expect(original.content.toString('utf8')).toBe(fixture(file));
    expect(document.content.map((c) => c.attachment.url)).toContain('Binary/original');
    expect(converted.patientId).toBe('patient');
    expect(ofType(converted.resources, 'Patient')).toHaveLength(1);
  });

  it("makes an unstructured document's embedded PDF the document's first, viewable content", () => {
    const converted = convertCcda(fixture('unstructured-pathology-pdf.xml'), options);
    const embedded = converted.documents.find((d) => d.url === 'Binary/embedded')!;
    expect(embedded.contentType).toBe('application/pdf');
    expect(embedded.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(documentOf(converted.resources).content[0].attachment).toMatchObject({ url: 'Binary/embedded', contentType: 'application/pdf' });
  });

  it("makes an unstructured document's plain text viewable as text", () => {
    const converted = convertCcda(fixture('unstructured-text-r1.1.xml'), options);
    const embedded = converted.documents.find((d) => d.url === 'Binary/embedded')!;
    expect(embedded.contentType).toBe('text/plain');
    expect(embedded.content.toString('utf8')).toContain('febrile neutropenia after cycle 2');
  });

  it("reads a structured document's narrative as plain text, section by section", () => {
    const converted = convertCcda(fixture('operative-note-r2.1.xml'), options);
    const text = converted.documents.find((d) => d.url === 'Binary/text')!.content.toString('utf8');
    expect(text).toContain('Procedure Description\n');
    expect(text).toContain('Wire-localised partial mastectomy of the left breast');
    expect(text).toContain('Left breast partial mastectomy\nSentinel lymph node, left axilla');
  });

  it('dates the document by its encounter (discharge summary) and its own time', () => {
    const discharge = documentOf(convertCcda(fixture('discharge-summary-r1.1.xml'), options).resources);
    expect(discharge.context?.period).toEqual({ start: '2024-02-05', end: '2024-02-10' });
    const operative = documentOf(convertCcda(fixture('operative-note-r2.1.xml'), options).resources) as unknown as { date: string };
    expect(operative.date).toBe('2024-02-05T14:15:00-05:00');
  });

  it('files under the category the patient chose and carries the given tags on every resource', () => {
    const tag = { system: 'https://carebinder.example.org/fhir/CodeSystem/record-origin', code: 'uploaded' };
    const converted = convertCcda(fixture('progress-note-r2.1.xml'), { ...options, category: 'radiation-treatment-summary', tags: [tag] });
    expect(classify(documentOf(converted.resources))).toEqual(['radiation-treatment-summary']);
    for (const resource of converted.resources) expect((resource.meta as { tag: unknown[] }).tag).toContainEqual(tag);
  });

  it('names the patient of the header', () => {
    expect(convertCcda(fixture('unstructured-text-r1.1.xml'), options).patient).toEqual({ name: 'John Smith', birthDate: '1955-01-01' });
    const [patient] = ofType(convertCcda(fixture('ccd-r2.1.xml'), options).resources, 'Patient');
    expect(patient).toMatchObject({ name: [{ family: 'Doe', given: ['Jane', 'Q'] }], gender: 'female', birthDate: '1970-05-12', identifier: [{ value: 'MRN-44321' }] });
  });
});

describe('convertCcda: structured sections', () => {
  it('maps every section of a CCD to its FHIR resource, all about the document patient', () => {
    const { resources, warnings } = convertCcda(fixture('ccd-r2.1.xml'), options);
    expect(warnings).toEqual([]);
    const counts = Object.fromEntries(['Condition', 'MedicationStatement', 'Immunization', 'DiagnosticReport', 'Observation', 'Procedure', 'AllergyIntolerance', 'Encounter'].map((t) => [t, ofType(resources, t).length]));
    expect(counts).toEqual({ Condition: 2, MedicationStatement: 2, Immunization: 1, DiagnosticReport: 1, Observation: 2, Procedure: 1, AllergyIntolerance: 1, Encounter: 1 });
    for (const resource of resources.filter((r) => !['Patient', 'DocumentReference'].includes(r.resourceType))) {
      expect(resource.subject ?? resource.patient).toEqual({ reference: 'Patient/patient' });
    }
  });

  it('keeps codes with their FHIR systems, ICD-10-CM given only by OID included', () => {
    const [condition] = ofType(convertCcda(fixture('consultation-note-r1.1.xml'), options).resources, 'Condition');
    expect(condition.code).toEqual({ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C50.912', display: 'Malignant neoplasm of unspecified site of left female breast' }], text: 'Malignant neoplasm of unspecified site of left female breast' });
    expect(condition).toMatchObject({ onsetDateTime: '2024-01-15', clinicalStatus: { coding: [{ code: 'active' }] }, verificationStatus: { coding: [{ code: 'confirmed' }] } });
  });

  it('reads entries-optional sections (R1.1) as well as entries-required ones', () => {
    const { resources } = convertCcda(fixture('discharge-summary-r1.1.xml'), options);
    expect(ofType(resources, 'Condition')).toHaveLength(1);
    expect(ofType(resources, 'AllergyIntolerance')[0]).toMatchObject({ code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '10180' }] }, reaction: [{ manifestation: [{ text: 'Rash' }] }] });
    const [acetaminophen] = ofType(resources, 'MedicationStatement');
    expect(acetaminophen).toMatchObject({
      status: 'completed',
      effectivePeriod: { start: '2024-02-10', end: '2024-02-24' },
      dosage: [{ timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h' } }, doseAndRate: [{ doseQuantity: { value: 500, unit: 'mg' } }] }],
    });
    const vitals = ofType(convertCcda(fixture('progress-note-r2.1.xml'), options).resources, 'Observation');
    expect(vitals.map((v) => (v.code as { coding: Array<{ code: string }> }).coding[0].code).sort()).toEqual(['29463-7', '8480-6']);
    expect(vitals[0]).toMatchObject({ category: [{ coding: [{ code: 'vital-signs' }] }], effectiveDateTime: '2024-04-15T15:15:00Z' });
  });

  it('groups results under their panel as a DiagnosticReport with values, ranges and interpretation', () => {
    const { resources } = convertCcda(fixture('ccd-r2.1.xml'), options);
    const [report] = ofType(resources, 'DiagnosticReport');
    const hemoglobin = resources.find((r) => r.id === (report.result as Array<{ reference: string }>)[0].reference.split('/')[1])!;
    expect(hemoglobin).toMatchObject({
      resourceType: 'Observation',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
      valueQuantity: { value: 12.1, unit: 'g/dL' },
      referenceRange: [{ low: { value: 12 }, high: { value: 15.5 } }],
      interpretation: [{ coding: [{ code: 'N' }] }],
    });
  });

  it('gives entries ids that are stable across conversions and distinct within the document', () => {
    const first = convertCcda(fixture('ccd-r2.1.xml'), options).resources.map((r) => `${r.resourceType}/${r.id}`);
    const second = convertCcda(fixture('ccd-r2.1.xml'), options).resources.map((r) => `${r.resourceType}/${r.id}`);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const key of first) expect(key.split('/')[1]).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });
});

describe('convertCcda: tolerance', () => {
  it('keeps the document when its sections hold nothing the parser can read', () => {
    const xml = fixture('ccd-r2.1.xml').replace(/<entry typeCode="DRIV">[\s\S]*?<\/entry>/g, '<entry><observation classCode="OBS" moodCode="EVN"><code nullFlavor="UNK"/></observation></entry>');
    const converted = convertCcda(xml, options);
    expect(documentOf(converted.resources)).toBeDefined();
    expect(converted.documents.map((d) => d.url)).toEqual(['Binary/text', 'Binary/original']);
  });

  it('keeps a document that names no patient, with a warning', () => {
    const xml = fixture('imaging-report-r2.1.xml').replace(/<recordTarget>[\s\S]*<\/recordTarget>/, '');
    const converted = convertCcda(xml, options);
    expect(converted.warnings).toContain('The document names no patient (recordTarget).');
    expect(ofType(converted.resources, 'DocumentReference')).toHaveLength(1);
  });

  it.each([
    { name: 'a DTD', xml: '<!DOCTYPE ClinicalDocument SYSTEM "http://evil.example/cda.dtd"><ClinicalDocument xmlns="urn:hl7-org:v3"/>', reason: 'unsafe' },
    { name: 'an entity declaration', xml: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ClinicalDocument xmlns="urn:hl7-org:v3">&a;</ClinicalDocument>', reason: 'unsafe' },
    { name: 'malformed XML', xml: '<ClinicalDocument xmlns="urn:hl7-org:v3"><title></ClinicalDocument>', reason: 'malformed' },
    { name: 'another XML vocabulary', xml: '<Bundle xmlns="http://hl7.org/fhir"/>', reason: 'not-cda' },
    { name: 'a ClinicalDocument outside the HL7 v3 namespace', xml: '<ClinicalDocument/>', reason: 'not-cda' },
  ])('refuses $name', ({ xml, reason }) => {
    expect(() => convertCcda(xml, options)).toThrow(CdaRefusedError);
    try {
      convertCcda(xml, options);
    } catch (error) {
      expect((error as CdaRefusedError).reason).toBe(reason);
    }
  });
});
