// What the browser should show for the demo patient, read from the sandbox's own data rather
// than hard-coded: sandbox/data/labels.json names the binder categories every resource should
// land in, sandbox/hospitals.json names the demo login's patient at each hospital, and the
// ndjson files hold the resources (to tell the demo patient's from other patients') and the
// documents' bytes.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CategoryId } from '../../../src/records/categories.js';

const SANDBOX_DIR = fileURLToPath(new URL('../../../sandbox/', import.meta.url));
const DATA_DIR = path.join(SANDBOX_DIR, 'data');

interface HospitalConfig {
  id: string;
  name: string;
  patients: Array<{ username: string; patientId: string }>;
}

interface FhirResource {
  resourceType: string;
  id: string;
  contentType?: string;
  data?: string;
  content?: Array<{ attachment: { title?: string; contentType?: string; url?: string } }>;
}

function hospitalsConfig(): HospitalConfig[] {
  return (JSON.parse(readFileSync(path.join(SANDBOX_DIR, 'hospitals.json'), 'utf8')) as { hospitals: HospitalConfig[] }).hospitals;
}

function resourcesOf(hospital: string): Map<string, { resource: FhirResource; json: string }> {
  const resources = new Map<string, { resource: FhirResource; json: string }>();
  const dir = path.join(DATA_DIR, hospital);
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ndjson'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const resource = JSON.parse(line) as FhirResource;
      resources.set(`${resource.resourceType}/${resource.id}`, { resource, json: line });
    }
  }
  return resources;
}

/** For every binder category, the hospitals (sandbox ids) where the login's patient has a record that files there. */
export function expectedHospitalsByCategory(username: string): Map<CategoryId, Set<string>> {
  const labels = JSON.parse(readFileSync(path.join(DATA_DIR, 'labels.json'), 'utf8')) as Record<string, Record<string, CategoryId[]>>;
  const expected = new Map<CategoryId, Set<string>>();
  for (const hospital of hospitalsConfig()) {
    const patientId = hospital.patients.find((p) => p.username === username)?.patientId;
    if (!patientId) continue;
    const resources = resourcesOf(hospital.id);
    const reference = `"Patient/${patientId}"`;
    for (const [key, categories] of Object.entries(labels[hospital.id] ?? {})) {
      const entry = resources.get(key);
      if (!entry) throw new Error(`labels.json names ${hospital.id} ${key}, which is not in the sandbox data`);
      // The patient's own records name them as subject/patient; other patients' never do.
      if (!entry.json.includes(reference)) continue;
      for (const category of categories) {
        const hospitals = expected.get(category) ?? new Set<string>();
        hospitals.add(hospital.id);
        expected.set(category, hospitals);
      }
    }
  }
  return expected;
}

/** The text of the demo data's attachment with this title (a DocumentReference's text/plain content). */
export function attachmentText(hospital: string, title: string): string {
  const resources = resourcesOf(hospital);
  for (const { resource } of resources.values()) {
    if (resource.resourceType !== 'DocumentReference') continue;
    for (const { attachment } of resource.content ?? []) {
      if (attachment.title !== title || attachment.contentType !== 'text/plain' || !attachment.url) continue;
      const binary = resources.get(attachment.url)?.resource;
      if (!binary?.data) throw new Error(`${hospital} ${attachment.url} has no data`);
      return Buffer.from(binary.data, 'base64').toString('utf8');
    }
  }
  throw new Error(`no text attachment titled ${title} at ${hospital}`);
}
