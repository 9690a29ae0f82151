// One Patient from the Patients the linked portals delivered: every identifier (plus each portal's
// own id for the patient), names, birth date, gender, contact details and addresses, de-duplicated.
import type { Patient } from 'fhir/r4.js';
import type { Queryable } from '../db/pool.js';
import type { AccountSources } from '../binder/sources.js';

export interface PortalPatient {
  resource: Patient;
  /** The portal's FHIR base URL, to name the portal's own id as an identifier. */
  fhirBaseUrl: string | null;
}

/**
 * The Patients that say who the binder is about: those of the linked portals, which identified the
 * patient at sign-in. An uploaded file's Patient is only the file's word (it may be someone else's
 * papers, kept with a warning), so uploads speak for the patient only when no portal does.
 */
export async function portalPatients(db: Queryable, accountId: string, sources: AccountSources): Promise<PortalPatient[]> {
  const { rows } = await db.query<{ resource: Patient; link_id: string; from_portal: boolean }>(
    `SELECT r.resource, r.link_id, l.portal_id IS NOT NULL AS from_portal FROM records r JOIN links l ON l.id = r.link_id
      WHERE r.account_id = $1 AND r.resource_type = 'Patient' AND r.resource_id = l.portal_patient_id AND r.removed_at_source IS NULL
      ORDER BY r.id`,
    [accountId],
  );
  const speaking = rows.some((row) => row.from_portal) ? rows.filter((row) => row.from_portal) : rows;
  return speaking.map((row) => ({ resource: row.resource, fhirBaseUrl: sources.byLink.get(row.link_id)?.fhirBaseUrl ?? null }));
}

/** Pure: the merged Patient (without id; the caller gives it one). */
export function mergePatients(patients: readonly PortalPatient[]): Patient {
  const merged: Patient = { resourceType: 'Patient' };
  const identifiers = new Map<string, NonNullable<Patient['identifier']>[number]>();
  const names = new Map<string, NonNullable<Patient['name']>[number]>();
  const telecoms = new Map<string, NonNullable<Patient['telecom']>[number]>();
  const addresses = new Map<string, NonNullable<Patient['address']>[number]>();
  for (const { resource, fhirBaseUrl } of patients) {
    if (!resource || typeof resource !== 'object') continue;
    for (const identifier of arrayOf(resource.identifier)) {
      if (typeof identifier?.value !== 'string') continue;
      identifiers.set(`${identifier.system ?? ''}|${identifier.value}`, identifier);
    }
    if (fhirBaseUrl && typeof resource.id === 'string') {
      const system = `${fhirBaseUrl.replace(/\/+$/, '')}/Patient`;
      identifiers.set(`${system}|${resource.id}`, { system, value: resource.id });
    }
    for (const name of arrayOf(resource.name)) if (name && typeof name === 'object') names.set(JSON.stringify([name.use ?? '', displayName(name)]), name);
    for (const telecom of arrayOf(resource.telecom)) if (typeof telecom?.value === 'string') telecoms.set(`${telecom.system ?? ''}|${telecom.value}`, telecom);
    for (const address of arrayOf(resource.address)) if (address && typeof address === 'object') addresses.set(JSON.stringify([address.line, address.city, address.postalCode]), address);
    if (!merged.birthDate && typeof resource.birthDate === 'string') merged.birthDate = resource.birthDate;
    if (!merged.gender && typeof resource.gender === 'string') merged.gender = resource.gender;
  }
  if (identifiers.size) merged.identifier = [...identifiers.values()];
  if (names.size) merged.name = [...names.values()];
  if (telecoms.size) merged.telecom = [...telecoms.values()];
  if (addresses.size) merged.address = [...addresses.values()];
  return merged;
}

/** "Jane Q. Doe": the official name first, else the first with text or parts. */
export function patientName(patient: Patient | null | undefined): string | null {
  const names = arrayOf(patient?.name);
  const chosen = names.find((n) => n?.use === 'official' && displayName(n)) ?? names.find((n) => displayName(n));
  return chosen ? displayName(chosen) : null;
}

function displayName(name: NonNullable<Patient['name']>[number]): string {
  if (typeof name.text === 'string' && name.text.trim()) return name.text.trim();
  const given = arrayOf(name.given).filter((g): g is string => typeof g === 'string');
  return [...given, typeof name.family === 'string' ? name.family : ''].filter(Boolean).join(' ').trim();
}

function arrayOf<T>(value: T[] | undefined | null): T[] {
  return Array.isArray(value) ? value : [];
}
