// A patient with records at two portals and documents of every kind the exports handle: fetched
// (a pathology PDF, a discharge note, two notes with the same title and day, an image), one over the
// size cap (not fetched), one inline in its resource, and one with a hostile title.
import { createHash } from 'node:crypto';
import { textPdf } from '../../sandbox/pdf.js';
import type { App } from '../../src/app.js';
import type { Pool } from '../../src/db/pool.js';
import { toRecordRow } from '../../src/sync/record-row.js';
import { storeDocuments, upsertRecords } from '../../src/sync/storage.js';
import { sourceUrlResolver } from '../../src/records/source-url.js';
import type { FhirResource } from '../../src/sync/validate.js';
import { signedInPatient } from './app.js';

export interface ExportPatient {
  cookie: string;
  accountId: string;
  portals: { north: string; south: string };
  bases: { north: string; south: string };
  linkIds: { north: string; south: string };
  /** The fetched documents by name: their bytes. */
  documents: Record<string, { url: string; contentType: string; content: Buffer }>;
}

// A 1×1 PNG.
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
export const PATHOLOGY_TEXT = 'Invasive ductal carcinoma grade 2 margins clear';
export const DISCHARGE_TEXT = 'Discharged home in good condition. Café au lait spots noted; creatinine 80 µmol/L.';
export const INLINE_TEXT = 'A note carried inside its resource.';

export async function seedExportPatient(app: App, pool: Pool, suffix: string): Promise<ExportPatient> {
  const patient = await signedInPatient(app);
  const portals = { north: `north-${suffix}`, south: `south-${suffix}` };
  const bases = { north: `https://north-${suffix}.example/fhir`, south: `https://south-${suffix}.example/api/FHIR/R4` };
  const linkIds = { north: '', south: '' };
  for (const side of ['north', 'south'] as const) {
    await pool.query('INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, $2, $3, $4)', [
      portals[side],
      side === 'north' ? 'Northside Hospital' : 'Riverside Clinic',
      bases[side],
      'client',
    ]);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status, last_sync_finished_at) VALUES ($1, $2, $3, 'active', '2026-11-30T10:00:00Z') RETURNING id`,
      [patient.accountId, portals[side], side === 'north' ? 'pn' : 'ps'],
    );
    linkIds[side] = rows[0].id;
  }
  const subject = (id: string) => ({ reference: `Patient/${id}` });
  const n = subject('pn');
  const north: FhirResource[] = [
    {
      resourceType: 'Patient',
      id: 'pn',
      identifier: [{ system: 'urn:oid:1.2.840.1.north', value: 'N-123' }],
      name: [{ use: 'official', family: 'Ångström', given: ['Zoë'] }],
      birthDate: '1970-03-14',
      gender: 'female',
    },
    {
      resourceType: 'Condition',
      id: 'cond-htn',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10', display: 'Essential hypertension' }], text: 'High blood pressure' },
      subject: n,
      onsetDateTime: '2019-05-02',
    },
    {
      resourceType: 'Condition',
      id: 'cond-appendix',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'K35.80', display: 'Acute appendicitis' }], text: 'Appendicitis' },
      subject: n,
      onsetDateTime: '2001-07-09',
      abatementDateTime: '2001-07-20',
    },
    {
      resourceType: 'MedicationRequest',
      id: 'med-paclitaxel',
      status: 'completed',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '56946', display: 'paclitaxel' }], text: 'Paclitaxel' },
      subject: n,
      authoredOn: '2023-02-01',
      dosageInstruction: [{ text: '175 mg/m² IV every 3 weeks', doseAndRate: [{ doseQuantity: { value: 175, unit: 'mg/m2' } }] }],
    },
    {
      resourceType: 'MedicationRequest',
      id: 'med-lisinopril',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '29046', display: 'lisinopril' }], text: 'Lisinopril 10 mg tablet' },
      subject: n,
      authoredOn: '2024-01-10',
      dosageInstruction: [{ text: '10 mg once daily', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 10, unit: 'mg' } }] }],
    },
    {
      resourceType: 'Observation',
      id: 'obs-wbc',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '6690-2', display: 'Leukocytes [#/volume] in Blood' }], text: 'White blood cells' },
      subject: n,
      effectiveDateTime: '2024-02-02',
      valueQuantity: { value: 6.1, unit: '10³/µL', system: 'http://unitsofmeasure.org', code: '10*3/uL' },
    },
    {
      resourceType: 'Immunization',
      id: 'imm-flu',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal' }], text: 'Influenza vaccine' },
      patient: n,
      occurrenceDateTime: '2024-10-01',
    },
    {
      resourceType: 'AllergyIntolerance',
      id: 'allergy-pen',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '70618', display: 'Penicillin' }], text: 'Penicillin' },
      patient: n,
      recordedDate: '2015-06-01',
    },
    {
      resourceType: 'Procedure',
      id: 'proc-mastectomy',
      status: 'completed',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '69031006', display: 'Excision of breast tissue' }], text: 'Lumpectomy' },
      subject: n,
      performedDateTime: '2023-03-01',
    },
    {
      resourceType: 'DiagnosticReport',
      id: 'path-1',
      status: 'final',
      category: [{ coding: [{ system: 'http://loinc.org', code: 'LP7839-6', display: 'Pathology' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '60567-5', display: 'Comprehensive pathology report' }], text: 'Breast biopsy pathology' },
      subject: n,
      effectiveDateTime: '2023-01-20',
      presentedForm: [{ contentType: 'application/pdf', url: 'Binary/path-1', title: 'Pathology report' }],
    },
    docRef('dis-1', '18842-5', 'Discharge summary', '2023-03-04', { contentType: 'text/plain', url: `${bases.north}/Binary/dis-1`, title: 'Discharge summary' }),
    docRef('img-big', '18748-4', 'CT chest report', '2023-01-05', { contentType: 'application/pdf', url: `${bases.north}/Binary/img-big`, title: 'CT chest', size: 90_000_000 }),
    docRef('img-pic', '18748-4', 'Chest X-ray image', '2023-01-06', { contentType: 'image/png', url: `${bases.north}/Binary/img-pic`, title: 'Chest X-ray' }),
    docRef('inline-1', '11506-3', '../../etc/passwd', '2023-04-01', { contentType: 'text/plain', data: Buffer.from(INLINE_TEXT).toString('base64'), title: '../../etc/passwd' }),
    docRef('note-a', '11506-3', 'Progress note', '2023-05-01', { contentType: 'text/plain', url: `${bases.north}/Binary/note-a`, title: 'Progress note' }),
    docRef('note-b', '11506-3', 'Progress note', '2023-05-01', { contentType: 'text/plain', url: `${bases.north}/Binary/note-b`, title: 'Progress note' }),
  ];
  const s = subject('ps');
  const south: FhirResource[] = [
    {
      resourceType: 'Patient',
      id: 'ps',
      identifier: [{ system: 'urn:oid:1.2.840.1.south', value: 'R-999' }],
      name: [{ use: 'official', family: 'Angstrom', given: ['Zoe'] }],
      birthDate: '1970-03-14',
      gender: 'female',
    },
    {
      resourceType: 'Immunization',
      id: 'imm-flu-copy',
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal' }], text: 'Flu shot' },
      patient: s,
      occurrenceDateTime: '2024-10-01',
    },
    {
      resourceType: 'Observation',
      id: 'obs-glucose',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }], text: 'Glucose <fasting> & "random"' },
      subject: s,
      effectiveDateTime: '2024-03-03',
      valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    },
  ];
  function docRef(id: string, loinc: string, title: string, date: string, attachment: Record<string, unknown>): FhirResource {
    return {
      resourceType: 'DocumentReference',
      id,
      status: 'current',
      type: { coding: [{ system: 'http://loinc.org', code: loinc, display: title }], text: title },
      subject: n,
      date: `${date}T09:00:00Z`,
      description: title,
      content: [{ attachment }],
    };
  }
  await upsertRecords(pool, patient.accountId, linkIds.north, north.map((r) => toRecordRow(r, { portalId: portals.north, resolveAttachment: sourceUrlResolver(bases.north) })));
  await upsertRecords(pool, patient.accountId, linkIds.south, south.map((r) => toRecordRow(r, { portalId: portals.south, resolveAttachment: sourceUrlResolver(bases.south) })));
  const documents = {
    pathology: { url: `${bases.north}/Binary/path-1`, contentType: 'application/pdf', content: textPdf('Pathology report', PATHOLOGY_TEXT) },
    discharge: { url: `${bases.north}/Binary/dis-1`, contentType: 'text/plain', content: Buffer.from(DISCHARGE_TEXT) },
    image: { url: `${bases.north}/Binary/img-pic`, contentType: 'image/png', content: PNG },
    noteA: { url: `${bases.north}/Binary/note-a`, contentType: 'text/plain', content: Buffer.from('First progress note.') },
    noteB: { url: `${bases.north}/Binary/note-b`, contentType: 'text/plain', content: Buffer.from('Second progress note.') },
  };
  await storeDocuments(
    pool,
    patient.accountId,
    linkIds.north,
    Object.values(documents).map((d) => ({ sourceUrl: d.url, contentType: d.contentType, content: d.content, sha256: createHash('sha256').update(d.content).digest() })),
  );
  return { cookie: patient.cookie, accountId: patient.accountId, portals, bases, linkIds, documents };
}
