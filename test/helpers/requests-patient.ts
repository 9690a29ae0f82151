// A patient whose binder lacks some reports: an operation without its operation report, a hospital
// stay without a discharge summary, a biopsy without pathology, an MRI without a report and a
// radiation course without a summary; and events whose report is there (linked, or days later).
// Used by the checklist and records-request tests (integration and browser).
import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.js';
import type { Pool } from '../../src/db/pool.js';
import { toRecordRow } from '../../src/sync/record-row.js';
import { upsertRecords } from '../../src/sync/storage.js';
import type { FhirResource } from '../../src/sync/validate.js';
import { signedInPatient } from './app.js';

export interface RequestsPatient {
  cookie: string;
  accountId: string;
  email: string;
  portalId: string;
  linkId: string;
  /** carebinder record ids by FHIR id. */
  recordIds: Map<string, string>;
}

const snomed = (code: string, display: string) => ({ coding: [{ system: 'http://snomed.info/sct', code, display }], text: display });
const loinc = (code: string, display: string) => ({ coding: [{ system: 'http://loinc.org', code, display }], text: display });
const subject = { reference: 'Patient/pn' };

export const REQUESTS_PATIENT_RESOURCES: FhirResource[] = [
  {
    resourceType: 'Patient',
    id: 'pn',
    identifier: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:oid:1.2.840.99.1', value: 'MRN-778899' },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: '999-99-9999' },
    ],
    name: [{ use: 'official', family: 'Ångström', given: ['Zoë'] }],
    birthDate: '1970-03-14',
    address: [{ use: 'home', line: ['12 Elm Street'], city: 'Springfield', state: 'IL', postalCode: '62704' }],
    telecom: [{ system: 'phone', value: '217-555-0142', use: 'home' }],
  },
  {
    resourceType: 'Organization',
    id: 'org-north',
    name: 'Northside Hospital',
    address: [{ line: ['1 Main Street'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
    telecom: [
      { system: 'phone', value: '217-555-0100' },
      { system: 'fax', value: '217-555-0101' },
    ],
  },
  {
    resourceType: 'Location',
    id: 'loc-radiology',
    name: 'Northside Imaging Center',
    address: { line: ['3 Ray Road'], city: 'Springfield', state: 'IL', postalCode: '62702' },
    managingOrganization: { reference: 'Organization/org-north' },
  },
  // An operation with no operation report: a gap, asked of the organization it was done on behalf of.
  {
    resourceType: 'Procedure',
    id: 'proc-lumpectomy',
    status: 'completed',
    category: snomed('387713003', 'Surgical procedure'),
    code: snomed('392021009', 'Lumpectomy of breast'),
    subject,
    performedDateTime: '2024-03-05T09:00:00Z',
    performer: [{ actor: { reference: 'Practitioner/dr-cut', display: 'Dr Cut' }, onBehalfOf: { reference: 'Organization/org-north' } }],
  },
  // Its pathology report, not linked, three days later: the lumpectomy's pathology is there.
  {
    resourceType: 'DiagnosticReport',
    id: 'path-lumpectomy',
    status: 'final',
    code: loinc('11529-5', 'Surgical pathology study'),
    subject,
    effectiveDateTime: '2024-03-08',
  },
  // The stay of the lumpectomy, with no discharge summary.
  {
    resourceType: 'Encounter',
    id: 'enc-stay',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    subject,
    period: { start: '2024-03-05', end: '2024-03-07' },
    serviceProvider: { reference: 'Organization/org-north' },
  },
  // An earlier stay whose discharge summary was written late but names it: no gap.
  {
    resourceType: 'Encounter',
    id: 'enc-old',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject,
    period: { start: '2023-05-01', end: '2023-05-03' },
  },
  {
    resourceType: 'DocumentReference',
    id: 'doc-discharge-old',
    status: 'current',
    type: loinc('18842-5', 'Discharge summary'),
    subject,
    date: '2023-07-20T10:00:00Z',
    context: { encounter: [{ reference: 'Encounter/enc-old' }] },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Discharged home.').toString('base64') } }],
  },
  // A biopsy: its procedure note names it (no operation-report gap), but no pathology report follows it.
  {
    resourceType: 'Procedure',
    id: 'proc-biopsy',
    status: 'completed',
    code: snomed('86273004', 'Biopsy'),
    subject,
    performedDateTime: '2023-12-01',
    location: { reference: 'Location/loc-elsewhere', display: 'Riverside Breast Center' },
  },
  {
    resourceType: 'DocumentReference',
    id: 'doc-biopsy-note',
    status: 'current',
    type: loinc('11504-8', 'Surgical operation note'),
    subject,
    date: '2023-12-01T15:00:00Z',
    context: { related: [{ reference: 'Procedure/proc-biopsy' }] },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Core biopsy, left breast.').toString('base64') } }],
  },
  // A CT with its report (linked by the study) and its own procedure: no gap.
  {
    resourceType: 'Procedure',
    id: 'proc-ct',
    status: 'completed',
    code: snomed('77477000', 'Computed tomography'),
    subject,
    performedDateTime: '2024-01-10',
  },
  {
    resourceType: 'ImagingStudy',
    id: 'study-ct',
    status: 'available',
    subject,
    started: '2024-01-10T08:00:00Z',
    procedureReference: { reference: 'Procedure/proc-ct' },
    procedureCode: [snomed('77477000', 'Computed tomography')],
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
  },
  {
    resourceType: 'DiagnosticReport',
    id: 'report-ct',
    status: 'final',
    code: loinc('18747-6', 'CT study'),
    subject,
    effectiveDateTime: '2023-11-01',
    imagingStudy: [{ reference: 'ImagingStudy/study-ct' }],
  },
  // An MRI with no report, done at a location of the hospital.
  {
    resourceType: 'ImagingStudy',
    id: 'study-mri',
    status: 'available',
    subject,
    started: '2024-06-01T08:00:00Z',
    procedureCode: [snomed('113091000', 'Magnetic resonance imaging')],
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'MR' }],
    location: { reference: 'Location/loc-radiology' },
  },
  // A radiation course with no treatment summary.
  {
    resourceType: 'Procedure',
    id: 'rad-course',
    status: 'completed',
    code: snomed('1217123003', 'Radiotherapy course of treatment'),
    subject,
    performedPeriod: { start: '2024-04-01', end: '2024-05-10' },
    performer: [{ actor: { reference: 'Organization/org-north' } }],
  },
];

/** Signs up a patient with one portal ("Northside Hospital") holding REQUESTS_PATIENT_RESOURCES. */
export async function seedRequestsPatient(app: App, pool: Pool): Promise<RequestsPatient> {
  const patient = await signedInPatient(app);
  const portalId = `north-${randomBytes(3).toString('hex')}`;
  await pool.query('INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ($1, $2, $3, $4)', [portalId, 'Northside Hospital', `https://${portalId}.example/fhir`, 'client']);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO links (account_id, portal_id, portal_patient_id, status, last_sync_finished_at) VALUES ($1, $2, 'pn', 'active', now()) RETURNING id`,
    [patient.accountId, portalId],
  );
  await upsertRecords(pool, patient.accountId, rows[0].id, REQUESTS_PATIENT_RESOURCES.map((resource) => toRecordRow(resource, portalId)));
  const stored = await pool.query<{ id: string; resource_id: string }>('SELECT id::text, resource_id FROM records WHERE account_id = $1', [patient.accountId]);
  return { ...patient, portalId, linkId: rows[0].id, recordIds: new Map(stored.rows.map((row) => [row.resource_id, row.id])) };
}
