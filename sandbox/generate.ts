// Generates a large synthetic patient for benchmarks: a realistic mix dominated by lab and
// vital-sign Observations, as in real records, spread over six years in time order.
// Deterministic for a given seed, so benchmark runs compare like with like.
import type { FhirResource } from 'fhir/r4.js';
import type { HospitalContext } from './hospital-context.js';
import { textPdf } from './pdf.js';
import { StoreError } from './store.js';

export interface GeneratePatientOptions {
  readonly patientId: string;
  readonly username: string;
  readonly password: string;
  /** Total resources created, the Patient and any Binary attachments included. */
  readonly count: number;
  readonly seed?: number;
}

export interface GeneratedPatient {
  readonly patientId: string;
  readonly username: string;
  readonly resources: number;
  readonly byType: Readonly<Record<string, number>>;
}

export const MAX_GENERATED_RESOURCES = 1_000_000;

type Kind = 'lab' | 'vital' | 'encounter' | 'condition' | 'medicationRequest' | 'medicationAdministration' | 'procedure' | 'report' | 'immunization' | 'document';

/** Relative frequencies, close to what a long oncology record holds. */
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['lab', 560],
  ['vital', 200],
  ['encounter', 50],
  ['report', 45],
  ['medicationRequest', 40],
  ['medicationAdministration', 40],
  ['condition', 20],
  ['procedure', 20],
  ['document', 15],
  ['immunization', 10],
];
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0);

interface LabTest {
  readonly loinc: string;
  readonly display: string;
  readonly unit: string;
  readonly mean: number;
  readonly spread: number;
  readonly decimals: number;
  readonly category: 'laboratory' | 'vital-signs';
}

const LABS: readonly LabTest[] = [
  { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', mean: 112, spread: 30, decimals: 0, category: 'laboratory' },
  { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', mean: 6.9, spread: 0.8, decimals: 1, category: 'laboratory' },
  { loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', mean: 0.9, spread: 0.2, decimals: 2, category: 'laboratory' },
  { loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', mean: 4.2, spread: 0.4, decimals: 1, category: 'laboratory' },
  { loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', mean: 139, spread: 3, decimals: 0, category: 'laboratory' },
  { loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', unit: 'g/dL', mean: 12.4, spread: 1.2, decimals: 1, category: 'laboratory' },
  { loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', unit: '10*3/uL', mean: 6.1, spread: 2.0, decimals: 1, category: 'laboratory' },
  { loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', unit: '10*3/uL', mean: 240, spread: 60, decimals: 0, category: 'laboratory' },
  { loinc: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', unit: 'U/L', mean: 24, spread: 9, decimals: 0, category: 'laboratory' },
];

const VITALS: readonly LabTest[] = [
  { loinc: '8867-4', display: 'Heart rate', unit: '/min', mean: 74, spread: 9, decimals: 0, category: 'vital-signs' },
  { loinc: '29463-7', display: 'Body weight', unit: 'kg', mean: 71, spread: 2, decimals: 1, category: 'vital-signs' },
  { loinc: '8310-5', display: 'Body temperature', unit: 'Cel', mean: 36.8, spread: 0.3, decimals: 1, category: 'vital-signs' },
  { loinc: '9279-1', display: 'Respiratory rate', unit: '/min', mean: 16, spread: 2, decimals: 0, category: 'vital-signs' },
  { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', unit: '%', mean: 97, spread: 1.5, decimals: 0, category: 'vital-signs' },
];

const SIX_YEARS_MS = 6 * 365 * 24 * 3600 * 1000;

export function generatePatient(hospital: HospitalContext, options: GeneratePatientOptions): GeneratedPatient {
  assertCanGenerate(hospital, options);
  const random = mulberry32(options.seed ?? 20_240_601);
  const writer = new GeneratedWriter(hospital, options.patientId);
  const start = Date.UTC(2019, 0, 1);
  const step = SIX_YEARS_MS / Math.max(1, options.count);

  writer.write(patientResource(options.patientId), start);
  let index = 0;
  while (writer.written < options.count) {
    index += 1;
    const when = start + index * step + random() * step;
    const remaining = options.count - writer.written;
    const kind = pickKind(random, remaining);
    for (const resource of buildResources(kind, hospital, writer.idFor(kind, index), options.patientId, when, random)) {
      writer.write(resource, when);
    }
  }
  hospital.addAccount({ username: options.username, password: options.password, patientId: options.patientId });
  return { patientId: options.patientId, username: options.username, resources: writer.written, byType: writer.byType };
}

function assertCanGenerate(hospital: HospitalContext, options: GeneratePatientOptions): void {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > MAX_GENERATED_RESOURCES) {
    throw new StoreError(`count must be an integer from 1 to ${MAX_GENERATED_RESOURCES}`);
  }
  if (!/^[A-Za-z0-9\-.]{1,40}$/.test(options.patientId)) throw new StoreError('patientId must be a FHIR id of at most 40 characters');
  if (hospital.store.get('Patient', options.patientId)) throw new StoreError(`Patient/${options.patientId} already exists`);
  if (hospital.findAccount(options.username)) throw new StoreError(`login "${options.username}" already exists`);
}

class GeneratedWriter {
  written = 0;
  readonly byType: Record<string, number> = {};

  constructor(
    private readonly hospital: HospitalContext,
    private readonly patientId: string,
  ) {}

  idFor(kind: Kind, index: number): string {
    return `${this.patientId}-${kind.slice(0, 3)}${index}`;
  }

  write(resource: FhirResource, whenMs: number): void {
    // Written in time order, so the store's paging order is chronological too.
    const lastUpdated = new Date(whenMs + 2 * 3600 * 1000).toISOString();
    this.hospital.store.put({ ...resource, meta: { versionId: '1', lastUpdated } }, { preserveMeta: true });
    this.written += 1;
    this.byType[resource.resourceType] = (this.byType[resource.resourceType] ?? 0) + 1;
  }
}

function pickKind(random: () => number, remaining: number): Kind {
  let roll = random() * MIX_TOTAL;
  for (const [kind, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return kind === 'document' && remaining < 2 ? 'lab' : kind;
  }
  return 'lab';
}

function buildResources(kind: Kind, hospital: HospitalContext, id: string, patientId: string, whenMs: number, random: () => number): FhirResource[] {
  const subject = { reference: `Patient/${patientId}` };
  const when = new Date(whenMs).toISOString();
  switch (kind) {
    case 'lab':
      return [observation(hospital, id, subject, when, pick(LABS, random), random)];
    case 'vital':
      return [observation(hospital, id, subject, when, pick(VITALS, random), random)];
    case 'encounter':
      return [
        {
          resourceType: 'Encounter',
          id,
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
          type: [{ coding: [{ system: 'http://snomed.info/sct', code: '185349003', display: 'Encounter for check up' }], text: 'Office Visit' }],
          subject,
          period: { start: when, end: new Date(whenMs + 30 * 60_000).toISOString() },
        },
      ];
    case 'condition':
      return [
        {
          resourceType: 'Condition',
          id,
          clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
          verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
          code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }], text: 'Upper respiratory infection' },
          subject,
          onsetDateTime: when,
          abatementDateTime: new Date(whenMs + 10 * 24 * 3600_000).toISOString(),
          recordedDate: when,
        },
      ];
    case 'medicationRequest':
      return [
        {
          resourceType: 'MedicationRequest',
          id,
          status: 'completed',
          intent: 'order',
          medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '26225', display: 'ondansetron' }], text: 'ondansetron 8 mg tablet' },
          subject,
          authoredOn: when,
          dosageInstruction: [{ text: 'Take 1 tablet by mouth every 8 hours as needed for nausea', timing: { repeat: { frequency: 1, period: 8, periodUnit: 'h' } }, asNeededBoolean: true }],
        },
      ];
    case 'medicationAdministration':
      return [
        {
          resourceType: 'MedicationAdministration',
          id,
          status: 'completed',
          medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '4492', display: 'fluorouracil' }], text: 'fluorouracil infusion' },
          subject,
          effectiveDateTime: when,
          dosage: { route: { text: 'Intravenous' }, dose: { value: 400 + Math.round(random() * 8) * 10, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
        },
      ];
    case 'procedure':
      return [
        {
          resourceType: 'Procedure',
          id,
          status: 'completed',
          code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '36415', display: 'Collection of venous blood by venipuncture' }], text: 'Venipuncture' },
          subject,
          performedDateTime: when,
        },
      ];
    case 'report':
      return [
        {
          resourceType: 'DiagnosticReport',
          id,
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
          code: { coding: [{ system: 'http://loinc.org', code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' }], text: 'Comprehensive metabolic panel' },
          subject,
          effectiveDateTime: when,
          issued: when,
        },
      ];
    case 'immunization':
      return [
        {
          resourceType: 'Immunization',
          id,
          status: 'completed',
          vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '150', display: 'influenza, injectable, quadrivalent, preservative free' }], text: 'Influenza vaccine' },
          patient: subject,
          occurrenceDateTime: when,
          primarySource: true,
        },
      ];
    case 'document':
      return documentWithBinary(hospital, id, patientId, when);
  }
}

function observation(hospital: HospitalContext, id: string, subject: { reference: string }, when: string, test: LabTest, random: () => number): FhirResource {
  const value = Number((test.mean + (random() - 0.5) * 2 * test.spread).toFixed(test.decimals));
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: test.category }],
        text: test.category === 'laboratory' ? 'Laboratory' : 'Vital Signs',
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: test.loinc, display: test.display }, localCoding(hospital, test)], text: test.display },
    subject,
    effectiveDateTime: when,
    issued: when,
    valueQuantity: { value, unit: test.unit, system: 'http://unitsofmeasure.org', code: test.unit },
  };
}

/** Each vendor style carries its own local code beside LOINC. */
function localCoding(hospital: HospitalContext, test: LabTest): { system: string; code: string; display: string } {
  const local = String(8800 + LABS.concat(VITALS).indexOf(test));
  if (hospital.config.style === 'cerner') {
    return { system: 'https://fhir.cerner.com/5b1e33c2-7d4f-4a6e-9c0b-2f7d81e6a9b4/codeSet/72', code: `27${local}`, display: test.display };
  }
  return { system: 'urn:oid:1.2.840.114350.1.13.8821.2.7.2.768282', code: local, display: test.display };
}

function documentWithBinary(hospital: HospitalContext, id: string, patientId: string, when: string): FhirResource[] {
  const binaryId = `${id}-b`;
  const text = `Progress note ${when.slice(0, 10)}\nPatient seen for follow-up. Doing well. Continue current plan.`;
  const pdf = id.endsWith('0');
  return [
    {
      resourceType: 'Binary',
      id: binaryId,
      contentType: pdf ? 'application/pdf' : 'text/plain',
      securityContext: { reference: `Patient/${patientId}` },
      data: (pdf ? textPdf('Progress note', text) : Buffer.from(text)).toString('base64'),
    },
    {
      resourceType: 'DocumentReference',
      id,
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }], text: 'Progress Note' },
      category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
      subject: { reference: `Patient/${patientId}` },
      date: when,
      content: [{ attachment: { contentType: pdf ? 'application/pdf' : 'text/plain', url: `${hospital.urls.fhirBase}/Binary/${binaryId}`, title: 'Progress note' } }],
    },
  ];
}

function patientResource(patientId: string): FhirResource {
  return {
    resourceType: 'Patient',
    id: patientId,
    active: true,
    name: [{ use: 'official', text: 'Avery Benchmark', family: 'Benchmark', given: ['Avery'] }],
    gender: 'female',
    birthDate: '1961-05-14',
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

/** Small, fast, seedable PRNG; good enough for synthetic data. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
