// The patient's own details as a records request states them: what the patient saved (accounts
// columns, migration 0014), else what the linked portals' Patient records propose (merged as the
// exports merge them), and the medical record numbers the portals gave (Patient.identifier, type MR).
import type { Patient } from 'fhir/r4.js';
import { accountSources } from '../binder/sources.js';
import type { Queryable } from '../db/pool.js';
import { mergePatients, patientName, portalPatients } from '../exports/patient.js';
import { addressText } from '../records/checklist.js';

export interface PatientDetailsFields {
  name: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  address: string | null;
  phone: string | null;
}

export interface MedicalRecordNumber {
  value: string;
  /** The portal that gave it. */
  source: string;
}

export interface PatientDetails extends PatientDetailsFields {
  /** What the linked portals' Patient records say. */
  proposed: PatientDetailsFields;
  recordNumbers: MedicalRecordNumber[];
}

const COLUMNS: Record<keyof PatientDetailsFields, string> = { name: 'name', birthDate: 'birth_date', address: 'address', phone: 'phone' };

interface SavedRow {
  name: string | null;
  birth_date: string | null;
  address: string | null;
  phone: string | null;
}

function isMedicalRecordNumber(identifier: NonNullable<Patient['identifier']>[number]): boolean {
  const coded = (identifier.type?.coding ?? []).some((coding) => coding?.code === 'MR' || coding?.code === 'MRN');
  return coded || /\b(mrn|medical record)\b/i.test(identifier.type?.text ?? '');
}

/** Pure: what the portals' Patients propose, and their record numbers, each named by its portal. */
export function proposedDetails(patients: ReadonlyArray<{ resource: Patient; source: string }>): { proposed: PatientDetailsFields; recordNumbers: MedicalRecordNumber[] } {
  const merged = mergePatients(patients.map((patient) => ({ resource: patient.resource, fhirBaseUrl: null })));
  const addresses = merged.address ?? [];
  const address = addresses.find((a) => a.use === 'home' && !a.period?.end) ?? addresses.find((a) => a.use !== 'old' && a.use !== 'billing') ?? addresses[0];
  const phones = (merged.telecom ?? []).filter((telecom) => telecom.system === 'phone' && telecom.value);
  const phone = phones.find((t) => t.use === 'mobile') ?? phones.find((t) => t.use === 'home') ?? phones[0];
  const recordNumbers = new Map<string, MedicalRecordNumber>();
  for (const { resource, source } of patients) {
    for (const identifier of Array.isArray(resource?.identifier) ? resource.identifier : []) {
      if (typeof identifier?.value !== 'string' || !identifier.value.trim() || !isMedicalRecordNumber(identifier)) continue;
      const value = identifier.value.trim();
      if (!recordNumbers.has(`${source}|${value}`)) recordNumbers.set(`${source}|${value}`, { value, source });
    }
  }
  return {
    proposed: {
      name: patientName(merged),
      birthDate: merged.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(merged.birthDate) ? merged.birthDate : null,
      address: address ? addressText(address) : null,
      phone: phone?.value ?? null,
    },
    recordNumbers: [...recordNumbers.values()],
  };
}

export async function patientDetails(db: Queryable, accountId: string): Promise<PatientDetails> {
  const { rows } = await db.query<SavedRow>('SELECT name, birth_date::text, address, phone FROM accounts WHERE id = $1', [accountId]);
  const saved = rows[0] ?? { name: null, birth_date: null, address: null, phone: null };
  const sources = await accountSources(db, accountId);
  const portalName = new Map([...sources.byLink.values()].map((source) => [source.fhirBaseUrl, source.portalName]));
  const patients = (await portalPatients(db, accountId, sources)).map((patient) => ({
    resource: patient.resource,
    source: (patient.fhirBaseUrl && portalName.get(patient.fhirBaseUrl)) ?? 'a linked portal',
  }));
  return { name: saved.name, birthDate: saved.birth_date, address: saved.address, phone: saved.phone, ...proposedDetails(patients) };
}

/** Saves the fields given (null clears one; an empty string counts as null); the rest stay as they are. */
export async function savePatientDetails(db: Queryable, accountId: string, update: Partial<PatientDetailsFields>): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [accountId];
  for (const key of Object.keys(COLUMNS) as Array<keyof PatientDetailsFields>) {
    if (!(key in update)) continue;
    const value = update[key];
    values.push(typeof value === 'string' && value.trim() === '' ? null : (value ?? null));
    sets.push(`${COLUMNS[key]} = $${values.length}`);
  }
  if (sets.length) await db.query(`UPDATE accounts SET ${sets.join(', ')} WHERE id = $1`, values);
}

/** What the letter states: each saved field, else the portals' proposal. */
export function letterDetails(details: PatientDetails): PatientDetailsFields & { recordNumbers: MedicalRecordNumber[] } {
  return {
    name: details.name ?? details.proposed.name,
    birthDate: details.birthDate ?? details.proposed.birthDate,
    address: details.address ?? details.proposed.address,
    phone: details.phone ?? details.proposed.phone,
    recordNumbers: details.recordNumbers,
  };
}
