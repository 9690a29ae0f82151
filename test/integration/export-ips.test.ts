// GET /api/record/ips.json: an International Patient Summary document Bundle (HL7 IPS IG).
import { randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { seedExportPatient, type ExportPatient } from '../helpers/export-patient.js';

interface Reference {
  reference: string;
}
interface Section {
  title: string;
  code: { coding: Array<{ system: string; code: string }> };
  text: { status: string; div: string };
  entry?: Reference[];
  emptyReason?: { coding: Array<{ system: string; code: string }> };
}
interface Resource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}
interface Bundle {
  resourceType: string;
  type: string;
  identifier: { system: string; value: string };
  timestamp: string;
  entry: Array<{ fullUrl: string; resource: Resource }>;
}

let t: TestApp;
let patient: ExportPatient;
let ips: Bundle;
const LOINC = 'http://loinc.org';

beforeAll(async () => {
  t = await buildTestApp();
  patient = await seedExportPatient(t.app, t.pool, randomBytes(3).toString('hex'));
  const response = await t.app.inject({ method: 'GET', url: '/api/record/ips.json', headers: { cookie: patient.cookie } });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  ips = response.json();
});
afterAll(async () => t.close());

const composition = () => ips.entry[0].resource as Resource & { section: Section[]; subject: Reference; author: Reference[]; type: Section['code']; date: string; title: string };
const section = (code: string) => composition().section.find((s) => s.code.coding.some((c) => c.system === LOINC && c.code === code));
const resolve = (reference: string) => ips.entry.find((e) => e.fullUrl === reference)?.resource;
const entriesOf = (code: string) => (section(code)?.entry ?? []).map((e) => resolve(e.reference)!);

function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => references(v, out));
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.reference === 'string') out.push(object.reference);
    Object.values(object).forEach((v) => references(v, out));
  }
  return out;
}

describe('the International Patient Summary', () => {
  it('is a document Bundle with an identifier, a timestamp and the Composition first', () => {
    expect(ips).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    expect(ips.identifier.system).toBe('urn:ietf:rfc:3986');
    expect(ips.identifier.value).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(ips.timestamp))).toBe(false);
    const c = composition();
    expect(c.resourceType).toBe('Composition');
    expect(c.type.coding).toContainEqual(expect.objectContaining({ system: LOINC, code: '60591-5' }));
    expect(c.status).toBe('final');
    expect(resolve(c.subject.reference)?.resourceType).toBe('Patient');
    expect(c.author.length).toBeGreaterThan(0);
    for (const author of c.author) expect(resolve(author.reference)).toBeDefined();
    expect(c.date).toBe(ips.timestamp);
    expect(c.title).toContain('Zoë Ångström');
  });

  it('gives every entry a urn:uuid fullUrl matching its id, once, and every urn reference resolves inside the Bundle', () => {
    const fullUrls = ips.entry.map((e) => e.fullUrl);
    expect(new Set(fullUrls).size).toBe(fullUrls.length);
    for (const entry of ips.entry) expect(entry.fullUrl).toBe(`urn:uuid:${entry.resource.id}`);
    const all = references(ips.entry.map((e) => e.resource));
    for (const reference of all.filter((r) => r.startsWith('urn:'))) expect(resolve(reference), reference).toBeDefined();
    // Nothing relative is left: it would not resolve in a document.
    for (const reference of all) expect(reference, reference).toMatch(/^(urn:uuid:|https?:\/\/|#)/);
  });

  it('has the required sections, and every other IPS section the binder can fill', () => {
    for (const code of ['11450-4', '10160-0', '48765-2', '11369-6', '30954-2', '47519-4', '46264-8', '18776-5', '11348-0']) expect(section(code), code).toBeDefined();
    expect(entriesOf('11450-4').map((r) => r.resourceType)).toEqual(['Condition']);
    expect(JSON.stringify(entriesOf('11450-4'))).toContain('I10');
    expect(JSON.stringify(entriesOf('11348-0'))).toContain('K35.80');
    expect(entriesOf('10160-0').map((r) => JSON.stringify(r)).join()).toMatch(/56946[\s\S]*29046|29046[\s\S]*56946/);
    expect(entriesOf('48765-2').map((r) => r.resourceType)).toEqual(['AllergyIntolerance']);
    expect(entriesOf('47519-4').map((r) => r.resourceType)).toEqual(['Procedure']);
    const results = entriesOf('30954-2');
    expect(results.map((r) => r.resourceType)).toContain('Observation');
    expect(JSON.stringify(results)).toContain('6690-2');
    expect(JSON.stringify(results)).toContain('2345-7');
  });

  it('lists a vaccine both portals delivered once', () => {
    const vaccines = entriesOf('11369-6');
    expect(vaccines).toHaveLength(1);
    expect(vaccines[0].resourceType).toBe('Immunization');
    expect(section('11369-6')!.text.div).toContain('Northside Hospital, Riverside Clinic');
  });

  it('says why a section is empty, and then has no entries', () => {
    const devices = section('46264-8')!;
    expect(devices.entry).toBeUndefined();
    expect(devices.emptyReason?.coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable' });
    for (const s of composition().section) expect(Boolean(s.entry?.length) !== Boolean(s.emptyReason), s.title).toBe(true);
  });

  it('gives each section generated, well-formed, escaped XHTML narrative naming its entries', () => {
    for (const s of composition().section) {
      expect(s.text.status).toBe('generated');
      const errors: string[] = [];
      const document = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(s.text.div, 'application/xhtml+xml');
      expect(errors, s.title).toEqual([]);
      expect(document.documentElement?.namespaceURI).toBe('http://www.w3.org/1999/xhtml');
      expect(s.text.div).not.toMatch(/<script/i);
    }
    const results = section('30954-2')!.text.div;
    expect(results).toContain('Glucose &lt;fasting&gt; &amp; &quot;random&quot;');
    expect(results).toContain('10³/µL');
    expect(section('10160-0')!.text.div).toContain('Paclitaxel');
  });

  it("has one Patient, merged from the portals' Patients with all their identifiers", () => {
    const patients = ips.entry.filter((e) => e.resource.resourceType === 'Patient');
    expect(patients).toHaveLength(1);
    const merged = patients[0].resource as Resource & { identifier: Array<{ system: string; value: string }>; birthDate: string };
    const values = merged.identifier.map((i) => i.value);
    expect(values).toEqual(expect.arrayContaining(['N-123', 'R-999', 'pn', 'ps']));
    expect(merged.identifier).toContainEqual({ system: `${patient.bases.north}/Patient`, value: 'pn' });
    expect(merged.birthDate).toBe('1970-03-14');
    // Every resource about the patient points at the merged one.
    for (const entry of ips.entry.slice(1)) {
      for (const reference of references(entry.resource)) expect(reference).not.toMatch(/Patient\/(pn|ps)$/);
    }
  });

  it("shows another patient nothing of this one's records", async () => {
    const other = await signedInPatient(t.app);
    const theirs = (await t.app.inject({ method: 'GET', url: '/api/record/ips.json', headers: { cookie: other.cookie } })).json<Bundle>();
    expect(theirs.entry.filter((e) => !['Composition', 'Patient', 'Device'].includes(e.resource.resourceType))).toEqual([]);
    expect(JSON.stringify(theirs)).not.toContain('Ångström');
    expect((await t.app.inject({ method: 'GET', url: '/api/record/ips.json' })).statusCode).toBe(401);
  });
});
