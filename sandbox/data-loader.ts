// Loads a hospital's NDJSON files (one FHIR resource a line) into its store at start.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FhirResource } from 'fhir/r4.js';
import type { HospitalContext } from './hospital-context.js';

export async function loadHospitalData(hospital: HospitalContext): Promise<number> {
  const dir = hospital.config.dataDir;
  const files = (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort();
  let loaded = 0;
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    loaded += loadNdjson(hospital, text, `${hospital.config.id}/${file}`);
  }
  assertAccountsHavePatients(hospital);
  return loaded;
}

function loadNdjson(hospital: HospitalContext, text: string, source: string): number {
  let loaded = 0;
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const resource = JSON.parse(line) as FhirResource;
      hospital.store.put(withAbsoluteAttachmentUrls(resource, hospital.urls.fhirBase), { preserveMeta: true });
      loaded += 1;
    } catch (error) {
      throw new Error(`${source}:${index + 1}: ${(error as Error).message}`, { cause: error });
    }
  });
  return loaded;
}

function assertAccountsHavePatients(hospital: HospitalContext): void {
  for (const account of hospital.accountList()) {
    if (!hospital.store.get('Patient', account.patientId)) {
      throw new Error(`hospital ${hospital.config.id}: login "${account.username}" names Patient/${account.patientId}, which is not in its data`);
    }
  }
}

/**
 * Attachments in the data files point at `Binary/<id>`; clients expect absolute URLs on the
 * same server, and the port is only known once the server listens.
 */
export function withAbsoluteAttachmentUrls<T>(value: T, fhirBase: string): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withAbsoluteAttachmentUrls(item, fhirBase)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) copy[key] = withAbsoluteAttachmentUrls(child, fhirBase);
  if (typeof copy.contentType === 'string' && typeof copy.url === 'string' && copy.url.startsWith('Binary/')) {
    copy.url = `${fhirBase}/${copy.url}`;
  }
  return copy as T;
}
