// What a portal holds for a patient, read with a plain independent pager (not carebinder's
// sync code), so tests can compare the binder with the source.
import { SYNC_TYPES, patientSearch } from '../../src/sync/plan.js';

export async function portalResourceKeys(fhirBaseUrl: string, accessToken: string, patientId: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const type of SYNC_TYPES) {
    let url: string | null = `${fhirBaseUrl}/${type}?${new URLSearchParams(patientSearch(type, patientId))}`;
    const seen = new Set<string>();
    while (url && !seen.has(url)) {
      seen.add(url);
      const response: Response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' } });
      if (response.status === 400 && (type === 'Observation' || type === 'CarePlan')) break;
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      const bundle = (await response.json()) as { entry?: Array<{ resource: { resourceType: string; id: string } }>; link?: Array<{ relation: string; url: string }> };
      for (const entry of bundle.entry ?? []) if (entry.resource.resourceType === type) keys.add(`${type}/${entry.resource.id}`);
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      url = next ? new URL(next, `${fhirBaseUrl}/`).toString() : null;
    }
  }
  return keys;
}
