// Code system URIs and their OID spellings, mapped to one short key each.
// Source: FHIR R4 terminology page (hl7.org/fhir/R4/terminologies-systems.html),
// HL7 OID registry for the urn:oid forms. Anything not listed is a local (vendor) code
// system: its displays still count as text, its codes never count as standard codes
// (an Epic local code "87154" is not CPT 87154).

export type SystemKey =
  | 'loinc'
  | 'snomed'
  | 'rxnorm'
  | 'cpt'
  | 'hcpcs'
  | 'icd10cm'
  | 'icd10pcs'
  | 'cvx'
  | 'ndc'
  | 'v2-0074'
  | 'observation-category'
  | 'condition-category'
  | 'condition-ver-status'
  | 'v3-actcode'
  | 'v2-0004'
  | 'dicom'
  | 'local';

export const CODE_SYSTEMS: Readonly<Record<string, SystemKey>> = {
  'http://loinc.org': 'loinc',
  'urn:oid:2.16.840.1.113883.6.1': 'loinc',
  'http://snomed.info/sct': 'snomed',
  'urn:oid:2.16.840.1.113883.6.96': 'snomed',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'rxnorm',
  'urn:oid:2.16.840.1.113883.6.88': 'rxnorm',
  'http://www.ama-assn.org/go/cpt': 'cpt',
  'urn:oid:2.16.840.1.113883.6.12': 'cpt',
  'http://www.cms.gov/medicare/coding/hcpcsreleasecodesets': 'hcpcs',
  'https://www.cms.gov/medicare/coding/hcpcsreleasecodesets': 'hcpcs',
  'urn:oid:2.16.840.1.113883.6.285': 'hcpcs',
  'urn:oid:2.16.840.1.113883.6.14': 'hcpcs',
  'http://hl7.org/fhir/sid/icd-10-cm': 'icd10cm',
  'urn:oid:2.16.840.1.113883.6.90': 'icd10cm',
  // WHO ICD-10 shares the chapters and most codes this classifier reads.
  'http://hl7.org/fhir/sid/icd-10': 'icd10cm',
  'urn:oid:2.16.840.1.113883.6.3': 'icd10cm',
  'http://www.cms.gov/medicare/coding/icd10': 'icd10pcs',
  'urn:oid:2.16.840.1.113883.6.4': 'icd10pcs',
  'http://hl7.org/fhir/sid/cvx': 'cvx',
  'urn:oid:2.16.840.1.113883.12.292': 'cvx',
  'http://hl7.org/fhir/sid/ndc': 'ndc',
  'urn:oid:2.16.840.1.113883.6.69': 'ndc',
  'http://terminology.hl7.org/codesystem/v2-0074': 'v2-0074',
  'urn:oid:2.16.840.1.113883.18.38': 'v2-0074',
  'http://terminology.hl7.org/codesystem/observation-category': 'observation-category',
  'http://hl7.org/fhir/observation-category': 'observation-category',
  'http://terminology.hl7.org/codesystem/condition-category': 'condition-category',
  'http://terminology.hl7.org/codesystem/condition-ver-status': 'condition-ver-status',
  'http://terminology.hl7.org/codesystem/v3-actcode': 'v3-actcode',
  'urn:oid:2.16.840.1.113883.5.4': 'v3-actcode',
  'http://terminology.hl7.org/codesystem/v2-0004': 'v2-0004',
  'http://dicom.nema.org/resources/ontology/dcm': 'dicom',
};

/** Systems seen so far; portals use a handful, so a small cache saves normalising each coding. */
const systemKeyCache = new Map<string, SystemKey>();
const SYSTEM_KEY_CACHE_MAX = 512;

export function systemKeyOf(system: string): SystemKey {
  if (system === '') return 'local';
  const cached = systemKeyCache.get(system);
  if (cached) return cached;
  const normalised = system.trim().toLowerCase().replace(/\/+$/, '');
  const key = Object.hasOwn(CODE_SYSTEMS, normalised) ? CODE_SYSTEMS[normalised] : 'local';
  if (systemKeyCache.size < SYSTEM_KEY_CACHE_MAX) systemKeyCache.set(system, key);
  return key;
}
