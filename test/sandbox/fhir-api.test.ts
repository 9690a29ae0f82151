import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxHospital } from '../../sandbox/server.js';
import { allPages, fhirGet, launch, nextLink, search, startTestSandbox, type TokenResponse } from './helpers.js';

const JANE_NORTHSIDE = 'eJn7vQ2xRt5kLm9pWc4HsB3';
const MARCUS_NORTHSIDE = 'eMw3hK8dTq1zXv6nRf2LpA3';
const JANE_RIVERSIDE = '41937702';

let sandbox: Sandbox;
let northside: SandboxHospital;
let riverside: SandboxHospital;
let janeNorth: TokenResponse;
let janeRiver: TokenResponse;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  northside = sandbox.hospital('northside');
  riverside = sandbox.hospital('riverside');
  [janeNorth, janeRiver] = await Promise.all([launch(northside), launch(riverside)]);
});
afterAll(async () => {
  await sandbox.close();
});

describe('authentication of FHIR requests', () => {
  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await fhirGet('Observation', northside, undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${northside.fhirBaseUrl}"`);
    expect(((await response.json())).resourceType).toBe('OperationOutcome');
  });

  it('answers 401 invalid_token for a forged token and for a token from another hospital', async () => {
    for (const token of ['forged.token.value', janeRiver.access_token]) {
      const response = await fhirGet('Observation', northside, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });
});

describe('searchset paging', () => {
  it.each([
    ['northside', 'Observation', 7],
    ['riverside', 'MedicationAdministration', 3],
  ])('%s: pages of %s add up to the Bundle total, each resource once', async (id, type, count) => {
    const hospital = sandbox.hospital(id);
    const token = id === 'northside' ? janeNorth : janeRiver;
    const pages = await allPages(hospital, token.access_token, `${type}?_count=${count}`);
    const ids = pages.flatMap((page) => (page.entry ?? []).map((entry) => entry.resource.id));
    expect(pages.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(pages[0].total);
    for (const page of pages) {
      expect(page).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: pages[0].total });
      expect(page.link.find((l) => l.relation === 'self')?.url).toContain(`${hospital.fhirBaseUrl}/${type}?`);
      expect(page.entry!.length).toBeLessThanOrEqual(count);
      for (const entry of page.entry!) {
        expect(entry.fullUrl).toBe(`${hospital.fhirBaseUrl}/${type}/${entry.resource.id}`);
        expect(entry.resource.meta.versionId).toBeTruthy();
        expect(Date.parse(entry.resource.meta.lastUpdated)).not.toBeNaN();
      }
    }
    expect(nextLink(pages.at(-1)!)).toBeUndefined();
  });

  it('caps _count at each hospital maximum and says so in the self link', async () => {
    const north = await search(northside, janeNorth.access_token, 'Observation?_count=500');
    expect(north.link.find((l) => l.relation === 'self')!.url).toContain('_count=50');
    const river = await search(riverside, janeRiver.access_token, 'MedicationAdministration?_count=500');
    expect(river.link.find((l) => l.relation === 'self')!.url).toContain('_count=20');
    expect(river.entry!.length).toBe(Math.min(river.total, 20));
  });

  it('uses the default page size when _count is absent and answers _count=0 with the total only', async () => {
    const page = await search(riverside, janeRiver.access_token, 'MedicationAdministration');
    expect(page.entry!.length).toBe(10);
    const countOnly = await search(riverside, janeRiver.access_token, 'MedicationAdministration?_count=0');
    expect(countOnly.total).toBe(page.total);
    expect(countOnly.entry).toBeUndefined();
  });

  it('accepts POST _search with form parameters', async () => {
    const response = await fetch(`${northside.fhirBaseUrl}/Observation/_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${janeNorth.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'code=http://loinc.org|4548-4',
    });
    expect(response.status).toBe(200);
    expect(((await response.json())).total).toBe(2);
  });
});

describe('search parameters', () => {
  const idsOf = async (hospital: SandboxHospital, token: TokenResponse, query: string) =>
    (await allPages(hospital, token.access_token, query)).flatMap((p) => (p.entry ?? []).map((e) => e.resource));

  it('filters by category in all token forms, including vendor-local codings', async () => {
    const labs = await idsOf(northside, janeNorth, 'Observation?category=laboratory');
    const vitals = await idsOf(northside, janeNorth, 'Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs');
    const epicLocal = await idsOf(northside, janeNorth, 'Observation?category=urn:oid:1.2.840.114350.1.13.8821.2.7.10.798268.30|Lab');
    const either = await idsOf(northside, janeNorth, 'Observation?category=laboratory,vital-signs');
    expect(labs.length).toBeGreaterThan(5);
    expect(vitals.length).toBe(2);
    expect(epicLocal.map((r) => r.id).sort()).toEqual(labs.map((r) => r.id).sort());
    expect(either.length).toBe(labs.length + vitals.length);
    for (const observation of labs) expect(JSON.stringify(observation.category)).toContain('"laboratory"');
  });

  it('filters by code with and without a system, and by _id', async () => {
    const a1c = await idsOf(northside, janeNorth, 'Observation?code=http://loinc.org|4548-4');
    expect(a1c).toHaveLength(2);
    expect(await idsOf(northside, janeNorth, 'Observation?code=4548-4')).toHaveLength(2);
    expect(await idsOf(northside, janeNorth, 'Observation?code=http://snomed.info/sct|4548-4')).toHaveLength(0);
    const cancer = await idsOf(riverside, janeRiver, 'Condition?code=http://hl7.org/fhir/sid/icd-10-cm|C50.411');
    expect(cancer).toHaveLength(1);
    const byId = await idsOf(northside, janeNorth, `Observation?_id=${a1c[0].id}`);
    expect(byId.map((r) => r.id)).toEqual([a1c[0].id]);
  });

  it('filters _lastUpdated with gt, ge, lt and le at the precision given', async () => {
    const all = await idsOf(riverside, janeRiver, 'Observation');
    const times = all.map((r) => r.meta.lastUpdated).sort();
    const latest = times.at(-1)!;
    const gt = await idsOf(riverside, janeRiver, `Observation?_lastUpdated=gt${latest}`);
    const ge = await idsOf(riverside, janeRiver, `Observation?_lastUpdated=ge${latest}`);
    const lt = await idsOf(riverside, janeRiver, `Observation?_lastUpdated=lt${latest}`);
    const le = await idsOf(riverside, janeRiver, `Observation?_lastUpdated=le${latest}`);
    const atLatest = times.filter((t) => t === latest).length;
    expect(gt).toHaveLength(0);
    expect(ge).toHaveLength(atLatest);
    expect(lt).toHaveLength(all.length - atLatest);
    expect(le).toHaveLength(all.length);

    // A day-precision value covers the whole day: ge2024-01-01&lt2024-05-01 keeps the first four months of 2024.
    const window = await idsOf(riverside, janeRiver, 'Observation?_lastUpdated=ge2024-01-01&_lastUpdated=lt2024-05-01');
    const expected = all.filter((r) => r.meta.lastUpdated >= '2024-01-01' && r.meta.lastUpdated < '2024-05-01');
    expect(window.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(window.length).toBeGreaterThan(0);
  });

  it('rejects a malformed _lastUpdated and a malformed _count with 400 OperationOutcome', async () => {
    for (const query of ['Observation?_lastUpdated=gtyesterday', 'Observation?_count=-1', 'Observation?code:text=glucose']) {
      const response = await fhirGet(query, northside, janeNorth.access_token);
      expect(response.status, query).toBe(400);
      expect(((await response.json())).resourceType).toBe('OperationOutcome');
    }
  });

  it('ignores parameters it does not support and leaves them out of the self link', async () => {
    const page = await search(northside, janeNorth.access_token, 'Condition?_sort=-date&unknown=1&category=problem-list-item');
    const self = page.link.find((l) => l.relation === 'self')!.url;
    expect(self).toContain('category=problem-list-item');
    expect(self).not.toContain('unknown');
    expect(self).not.toContain('_sort');
  });
});

describe('patient compartment isolation', () => {
  it('returns only the token patient from Patient search', async () => {
    const page = await search(northside, janeNorth.access_token, 'Patient');
    expect(page.total).toBe(1);
    expect(page.entry![0].resource.id).toBe(JANE_NORTHSIDE);
  });

  it('refuses a search for another patient and hides another patient\'s resources', async () => {
    const other = await fhirGet(`Observation?patient=${MARCUS_NORTHSIDE}`, northside, janeNorth.access_token);
    expect(other.status).toBe(403);
    const mine = await search(northside, janeNorth.access_token, `Observation?subject=Patient/${JANE_NORTHSIDE}&_count=1`);
    expect(mine.total).toBeGreaterThan(0);

    const marcus = await launch(northside, { username: 'marcus' });
    const marcusObservation = (await search(northside, marcus.access_token, 'Observation')).entry![0].resource;
    expect((await fhirGet(`Observation/${marcusObservation.id}`, northside, janeNorth.access_token)).status).toBe(404);
    expect((await fhirGet(`Patient/${MARCUS_NORTHSIDE}`, northside, janeNorth.access_token)).status).toBe(404);
    const janeIds = (await allPages(northside, janeNorth.access_token, 'Observation')).flatMap((p) => p.entry!.map((e) => e.resource.subject?.reference));
    expect(new Set(janeIds)).toEqual(new Set([`Patient/${JANE_NORTHSIDE}`]));
  });

  it('lets a token read the shared resources its records reference', async () => {
    const report = (await search(northside, janeNorth.access_token, 'DiagnosticReport?code=11526-1')).entry![0].resource;
    const performer = report.performer![0].reference;
    expect((await fhirGet(performer, northside, janeNorth.access_token)).status).toBe(200);
  });
});

describe('scope enforcement', () => {
  it('limits a v2 type scope to its type, with an insufficient_scope challenge elsewhere', async () => {
    const token = await launch(northside, { scope: 'launch/patient patient/Observation.rs' });
    expect((await fhirGet('Observation', northside, token.access_token)).status).toBe(200);
    const condition = await fhirGet('Condition', northside, token.access_token);
    expect(condition.status).toBe(403);
    expect(condition.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('honours v2 query scopes such as patient/Observation.rs?category=laboratory', async () => {
    const token = await launch(northside, { scope: 'launch/patient patient/Observation.rs?category=laboratory' });
    const all = await allPages(northside, token.access_token, 'Observation');
    const resources = all.flatMap((p) => p.entry!.map((e) => e.resource));
    expect(resources.length).toBe(all[0].total);
    for (const observation of resources) expect(JSON.stringify(observation.category)).toContain('laboratory');
    const vital = (await search(northside, janeNorth.access_token, 'Observation?category=vital-signs')).entry![0].resource;
    expect((await fhirGet(`Observation/${vital.id}`, northside, token.access_token)).status).toBe(403);
  });

  it('separates read (r) from search (s) in v2 scopes', async () => {
    const token = await launch(northside, { scope: 'launch/patient patient/Patient.r' });
    expect((await fhirGet(`Patient/${JANE_NORTHSIDE}`, northside, token.access_token)).status).toBe(200);
    expect((await fhirGet('Patient', northside, token.access_token)).status).toBe(403);
  });

  it('accepts v1 .read scopes', async () => {
    const token = await launch(riverside, { scope: 'launch/patient patient/*.read' });
    const page = await search(riverside, token.access_token, 'Condition');
    expect(page.total).toBeGreaterThan(3);
  });
});

describe('documents and Binary', () => {
  it('points DocumentReference attachments at Binary URLs on the same server', async () => {
    for (const [hospital, token] of [[northside, janeNorth], [riverside, janeRiver]] as const) {
      const documents = (await allPages(hospital, token.access_token, 'DocumentReference')).flatMap((p) => p.entry!.map((e) => e.resource));
      const urls = documents.flatMap((d) => d.content!.map((c) => c.attachment.url));
      expect(urls.length).toBeGreaterThan(2);
      for (const url of urls) {
        expect(url.startsWith(`${hospital.fhirBaseUrl}/Binary/`)).toBe(true);
        expect((await fhirGet(url, hospital, token.access_token, { accept: '*/*' })).status).toBe(200);
      }
    }
  });

  it('serves a Binary raw with its content type, or as a FHIR Binary for Accept fhir+json', async () => {
    const summaries = await search(northside, janeNorth.access_token, 'DocumentReference?type=http://loinc.org|18842-5');
    const attachments = summaries.entry![0].resource.content!.map((c) => c.attachment);
    const pdf = attachments.find((a) => a.contentType === 'application/pdf')!;
    const text = attachments.find((a) => a.contentType === 'text/plain')!;

    const rawPdf = await fhirGet(pdf.url, northside, janeNorth.access_token, { accept: 'application/pdf' });
    expect(rawPdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await rawPdf.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);

    const rawText = await fhirGet(text.url, northside, janeNorth.access_token, { accept: '*/*' });
    expect(rawText.headers.get('content-type')).toContain('text/plain');
    expect(await rawText.text()).toContain('DISCHARGE SUMMARY');

    const asResource = (await (await fhirGet(text.url, northside, janeNorth.access_token)).json());
    expect(asResource).toMatchObject({ resourceType: 'Binary', contentType: 'text/plain' });
    expect(Buffer.from(asResource.data, 'base64').toString()).toContain('DISCHARGE SUMMARY');
  });

  it('lets a DocumentReference scope read the attachments, and no other token', async () => {
    const token = await launch(riverside, { scope: 'launch/patient patient/DocumentReference.rs' });
    const doc = (await search(riverside, token.access_token, 'DocumentReference')).entry![0].resource;
    expect((await fhirGet(doc.content![0].attachment.url, riverside, token.access_token, { accept: '*/*' })).status).toBe(200);
    const observationsOnly = await launch(riverside, { scope: 'launch/patient patient/Observation.rs' });
    expect((await fhirGet(doc.content![0].attachment.url, riverside, observationsOnly.access_token)).status).toBe(403);
    const elena = await launch(riverside, { username: 'elena' });
    expect((await fhirGet(doc.content![0].attachment.url, riverside, elena.access_token)).status).toBe(404);
  });

  it('answers JANE at riverside with her own compartment', async () => {
    const page = await search(riverside, janeRiver.access_token, 'Patient');
    expect(page.entry![0].resource.id).toBe(JANE_RIVERSIDE);
  });
});
