// C-CDA code systems (by OID, and by the names blue-button gives them) as FHIR system URIs.
// Source: FHIR R4 terminology page (hl7.org/fhir/R4/terminologies-systems.html) and the HL7
// OID registry. A system not listed keeps its OID as urn:oid:… when it is known, else none.

interface SystemEntry {
  oid: string;
  /** The name blue-button writes for it (and what a document's codeSystemName usually says). */
  name: string;
  uri: string;
}

const SYSTEMS: readonly SystemEntry[] = [
  { oid: '2.16.840.1.113883.6.1', name: 'LOINC', uri: 'http://loinc.org' },
  { oid: '2.16.840.1.113883.6.96', name: 'SNOMED CT', uri: 'http://snomed.info/sct' },
  { oid: '2.16.840.1.113883.6.88', name: 'RXNORM', uri: 'http://www.nlm.nih.gov/research/umls/rxnorm' },
  { oid: '2.16.840.1.113883.6.90', name: 'ICD-10-CM', uri: 'http://hl7.org/fhir/sid/icd-10-cm' },
  { oid: '2.16.840.1.113883.6.3', name: 'ICD-10', uri: 'http://hl7.org/fhir/sid/icd-10' },
  { oid: '2.16.840.1.113883.6.4', name: 'ICD-10-PCS', uri: 'http://www.cms.gov/Medicare/Coding/ICD10' },
  { oid: '2.16.840.1.113883.6.103', name: 'ICD-9-CM', uri: 'http://hl7.org/fhir/sid/icd-9-cm' },
  { oid: '2.16.840.1.113883.6.104', name: 'ICD-9-CM Procedures', uri: 'http://hl7.org/fhir/sid/icd-9-cm' },
  { oid: '2.16.840.1.113883.12.292', name: 'CVX', uri: 'http://hl7.org/fhir/sid/cvx' },
  { oid: '2.16.840.1.113883.6.12', name: 'CPT', uri: 'http://www.ama-assn.org/go/cpt' },
  { oid: '2.16.840.1.113883.6.285', name: 'HCPCS', uri: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets' },
  { oid: '2.16.840.1.113883.6.14', name: 'HCPCS', uri: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets' },
  { oid: '2.16.840.1.113883.6.69', name: 'NDC-FDA Drug Registration', uri: 'http://hl7.org/fhir/sid/ndc' },
  { oid: '2.16.840.1.113883.3.26.1.1', name: 'Medication Route FDA', uri: 'http://ncimeta.nci.nih.gov' },
  { oid: '2.16.840.1.113883.6.8', name: 'UCUM', uri: 'http://unitsofmeasure.org' },
  { oid: '2.16.840.1.113883.5.83', name: 'HL7 Result Interpretation', uri: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation' },
  { oid: '2.16.840.1.113883.5.4', name: 'ActCode', uri: 'http://terminology.hl7.org/CodeSystem/v3-ActCode' },
  { oid: '2.16.840.1.113883.5.1', name: 'HL7 AdministrativeGender', uri: 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender' },
];

const BY_OID = new Map(SYSTEMS.map((s) => [s.oid, s]));
const BY_NAME = new Map(SYSTEMS.map((s) => [normalise(s.name), s]));
// Other spellings documents use for the same systems.
for (const [alias, oid] of [
  ['RxNorm', '2.16.840.1.113883.6.88'],
  ['SNOMED-CT', '2.16.840.1.113883.6.96'],
  ['SNOMEDCT', '2.16.840.1.113883.6.96'],
  ['ICD10CM', '2.16.840.1.113883.6.90'],
  ['ICD-10 CM', '2.16.840.1.113883.6.90'],
  ['ICD9CM', '2.16.840.1.113883.6.103'],
  ['NDC', '2.16.840.1.113883.6.69'],
  ['CPT-4', '2.16.840.1.113883.6.12'],
  ['NCI Thesaurus', '2.16.840.1.113883.3.26.1.1'],
] as const) {
  BY_NAME.set(normalise(alias), BY_OID.get(oid)!);
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function systemUriOfOid(oid: string | null | undefined): string | null {
  if (!oid) return null;
  return BY_OID.get(oid)?.uri ?? (/^[0-2](\.\d+)+$/.test(oid) ? `urn:oid:${oid}` : null);
}

export function systemUriOfName(name: string | null | undefined): string | null {
  return name ? (BY_NAME.get(normalise(name))?.uri ?? null) : null;
}

/** The name blue-button should keep for a code whose document gave only the OID (it drops OIDs it does not know). */
export function systemNameOfOid(oid: string): string | null {
  return BY_OID.get(oid)?.name ?? null;
}
