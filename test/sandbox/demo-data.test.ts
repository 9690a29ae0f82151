// Checks the demo records themselves: complete, consistent and labelled for the binder.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../src/records/categories.js';

const DATA_DIR = path.join(import.meta.dirname, '../../sandbox/data');
// The binder's own category list: the demo data must exercise every one of them.
const CATEGORIES: readonly string[] = CATEGORY_IDS;
const REQUIRED_TYPES = [
  'Patient', 'DiagnosticReport', 'ImagingStudy', 'Procedure', 'MedicationStatement', 'MedicationRequest', 'MedicationAdministration',
  'MedicationDispense', 'Immunization', 'Observation', 'Condition', 'AllergyIntolerance', 'DocumentReference', 'Binary', 'Encounter',
  'CarePlan', 'AdverseEvent', 'Practitioner', 'Organization', 'Medication', 'Location',
];

interface Attachment {
  url: string;
  contentType: string;
}

/** The parts of the data files these checks read. */
interface Resource {
  resourceType: string;
  id: string;
  meta: { versionId: string; lastUpdated: string };
  subject?: { reference: string };
  patient?: { reference: string };
  securityContext?: { reference: string };
  content?: Array<{ attachment: Attachment }>;
  presentedForm?: Attachment[];
  contentType?: string;
  data?: string;
  code?: unknown;
  conclusion?: string;
  occurrenceDateTime?: string;
  vaccineCode?: unknown;
  medicationCodeableConcept?: unknown;
  dosage?: { dose: { value: number } };
  effectivePeriod?: { start: string };
}

function load(hospitalId: string): Resource[] {
  const dir = path.join(DATA_DIR, hospitalId);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ndjson'))
    .flatMap((file) => readFileSync(path.join(dir, file), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Resource));
}

const hospitalsFile = JSON.parse(readFileSync(path.join(DATA_DIR, '../hospitals.json'), 'utf8')) as {
  hospitals: Array<{ id: string; patients: Array<{ username: string; password: string; patientId: string }> }>;
};
const labels = JSON.parse(readFileSync(path.join(DATA_DIR, 'labels.json'), 'utf8')) as Record<string, Record<string, string[]>>;
const hospitals = hospitalsFile.hospitals.map((config) => ({ config, resources: load(config.id) }));

function references(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) references(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') into.push(child);
      else references(child, into);
    }
  }
  return into;
}

function owner(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const reference = resource.subject?.reference ?? resource.patient?.reference ?? resource.securityContext?.reference;
  return reference?.replace(/^Patient\//, '');
}

describe.each(hospitals)('demo data of $config.id', ({ config, resources }) => {
  const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));

  it('has unique valid ids and meta.versionId/lastUpdated on every resource', () => {
    expect(byKey.size).toBe(resources.length);
    for (const resource of resources) {
      expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(resource.meta.versionId).toMatch(/^\d+$/);
      expect(Date.parse(resource.meta.lastUpdated), `${resource.resourceType}/${resource.id}`).not.toBeNaN();
    }
  });

  it('holds at least two patients, each login pointing at one of them, jane among them', () => {
    const patients = resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id);
    expect(patients.length).toBeGreaterThanOrEqual(2);
    for (const account of config.patients) expect(patients).toContain(account.patientId);
    expect(config.patients.find((a) => a.username === 'jane')).toMatchObject({ password: 'sandbox' });
  });

  it('resolves every reference inside the hospital, and keeps each record with one patient', () => {
    for (const resource of resources) {
      const patient = owner(resource);
      for (const reference of references(resource)) {
        expect(byKey.has(reference), `${resource.resourceType}/${resource.id} -> ${reference}`).toBe(true);
        const target = byKey.get(reference)!;
        const targetOwner = ['Practitioner', 'Organization', 'Location', 'Medication'].includes(target.resourceType) ? undefined : owner(target);
        if (patient && targetOwner) expect(targetOwner, `${resource.resourceType}/${resource.id} -> ${reference}`).toBe(patient);
      }
    }
  });

  it("points every attachment at a Binary of the same patient with the same content type", () => {
    for (const resource of resources) {
      const attachments = [...(resource.content ?? []).map((c) => c.attachment), ...(resource.presentedForm ?? [])];
      for (const attachment of attachments) {
        expect(attachment.url).toMatch(/^Binary\//);
        const binary = byKey.get(attachment.url)!;
        expect(binary, attachment.url).toBeDefined();
        expect(binary.contentType).toBe(attachment.contentType);
        expect(owner(binary)).toBe(owner(resource));
      }
    }
  });

  it('labels every record with known binder categories', () => {
    const hospitalLabels = labels[config.id];
    const keys = resources.filter((r) => r.resourceType !== 'Binary').map((r) => `${r.resourceType}/${r.id}`);
    expect(Object.keys(hospitalLabels).sort()).toEqual(keys.sort());
    for (const categories of Object.values(hospitalLabels)) for (const category of categories) expect(CATEGORIES).toContain(category);
  });

  it('contains only well-formed PDFs (exact cross-reference offsets)', () => {
    const pdfs = resources.filter((r) => r.resourceType === 'Binary' && r.contentType === 'application/pdf');
    expect(pdfs.length).toBeGreaterThan(0);
    for (const binary of pdfs) expectValidPdf(Buffer.from(binary.data!, 'base64'));
  });
});

describe('the demo journey across both hospitals', () => {
  const all = hospitals.flatMap(({ resources }) => resources);
  const janeIds = new Set(hospitalsFile.hospitals.map((h) => h.patients.find((p) => p.username === 'jane')!.patientId));
  const janes = all.filter((r) => janeIds.has(owner(r) ?? '') || ['Practitioner', 'Organization', 'Location', 'Medication'].includes(r.resourceType));

  it('covers every required resource type', () => {
    expect(new Set(janes.map((r) => r.resourceType))).toEqual(new Set(REQUIRED_TYPES));
  });

  it('files records into all 11 binder categories and leaves some in none', () => {
    const janeLabels = hospitals.flatMap(({ config, resources }) =>
      resources.filter((r) => r.resourceType !== 'Binary' && janeIds.has(owner(r) ?? '')).map((r) => labels[config.id][`${r.resourceType}/${r.id}`]),
    );
    for (const category of CATEGORIES) expect(janeLabels.some((l) => l.includes(category)), category).toBe(true);
    expect(janeLabels.filter((l) => l.length === 0).length).toBeGreaterThan(10);
  });

  it('shares facts between hospitals: the surgical pathology report and the influenza dose', () => {
    for (const { resources } of hospitals) {
      const pathology = resources.filter((r) => r.resourceType === 'DiagnosticReport' && JSON.stringify(r.code).includes('11526-1') && r.conclusion?.includes('pT1c pN0(sn)') === true);
      expect(pathology.length).toBeGreaterThanOrEqual(1);
      const flu = resources.filter((r) => r.resourceType === 'Immunization' && janeIds.has(owner(r)!) && r.occurrenceDateTime?.startsWith('2023-10-02') === true);
      expect(flu).toHaveLength(1);
      expect(JSON.stringify(flu[0].vaccineCode)).toContain('"150"');
    }
  });

  it('records chemotherapy as several dosed administrations over months', () => {
    const doses = all.filter((r) => r.resourceType === 'MedicationAdministration' && JSON.stringify(r.medicationCodeableConcept).includes('"72962"'));
    expect(doses.length).toBeGreaterThanOrEqual(4);
    for (const dose of doses) expect(dose.dosage!.dose.value).toBeGreaterThan(0);
    const days = doses.map((d) => Date.parse(d.effectivePeriod!.start)).sort();
    expect(days.at(-1)! - days[0]).toBeGreaterThan(60 * 24 * 3600 * 1000);
  });

  it('uses each vendor style: Epic OIDs at northside, Cerner code sets at riverside', () => {
    const [north, river] = hospitals.map(({ resources }) => JSON.stringify(resources));
    expect(north).toContain('urn:oid:1.2.840.114350.');
    expect(river).toContain('https://fhir.cerner.com/');
    expect(north).not.toContain('https://fhir.cerner.com/');
  });
});

/** Checks the header, the trailer and that every xref offset lands on its "N 0 obj". */
function expectValidPdf(bytes: Buffer): void {
  const text = bytes.toString('latin1');
  expect(text.startsWith('%PDF-1.')).toBe(true);
  expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)![1]);
  expect(text.slice(startxref, startxref + 4)).toBe('xref');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref))!;
  const rows = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
  rows.forEach((row, index) => {
    expect(row).toMatch(/^\d{10} \d{5} [nf] $/);
    if (row.endsWith('n ')) {
      const offset = Number(row.slice(0, 10));
      expect(text.slice(offset).startsWith(`${Number(first) + index} 0 obj`)).toBe(true);
    }
  });
}
