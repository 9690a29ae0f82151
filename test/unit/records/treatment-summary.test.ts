import type {
  AdverseEvent,
  AllergyIntolerance,
  Condition,
  DocumentReference,
  MedicationAdministration,
  MedicationRequest,
  Observation,
  Procedure,
} from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';

import { buildEntryResource } from '../../../src/entries/resource.js';
import { normaliseIngredientName } from '../../../src/records/medicine-names.js';
import { CONTINUED_AFTER_TREATMENT_URL } from '../../../src/records/patient-entered.js';
import { radiationFacts } from '../../../src/records/radiation-facts.js';
import {
  buildTreatmentSummary,
  MEDICATION_TREATMENT_CATEGORY as MEDS,
  RADIATION_TREATMENT_CATEGORY as RADIATION,
  SIDE_EFFECTS_CATEGORY as SIDE_EFFECTS,
  UNNAMED_MEDICINE,
  type PortalSource,
  type StoredRecord,
} from '../../../src/records/treatment-summary.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const hospital: PortalSource = { portalId: 'northlake', portalName: 'Northlake Health' };
const cancerCentre: PortalSource = { portalId: 'ridgeview', portalName: 'Ridgeview Cancer Center' };
const subject = { reference: 'Patient/p1' };

function stored(id: string, resource: unknown, categories: string[], ...sources: PortalSource[]): StoredRecord {
  return { id, resource, categories, sources: sources.length > 0 ? sources : [hospital] };
}

const WEEKLY_PACLITAXEL_DAYS = ['2023-06-06', '2023-06-13', '2023-06-20', '2023-06-27', '2023-07-04', '2023-07-11'];

function paclitaxelGiven(id: string, day: string, overrides: Partial<MedicationAdministration> = {}): MedicationAdministration {
  return {
    resourceType: 'MedicationAdministration',
    id,
    status: 'completed',
    subject,
    medicationCodeableConcept: {
      coding: [{ system: RXNORM, code: '56946', display: 'paclitaxel' }],
      text: 'PACLitaxel (TAXOL) 80 mg/m2 in sodium chloride 0.9 % 250 mL chemo infusion',
    },
    effectivePeriod: { start: `${day}T14:05:00Z`, end: `${day}T15:09:00Z` },
    dosage: { route: { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route (qualifier value)' }] }, dose: { value: 80, unit: 'mg/m2' } },
    ...overrides,
  };
}

function weeklyPaclitaxel(): StoredRecord[] {
  return WEEKLY_PACLITAXEL_DAYS.map((day, week) => stored(`ma-${week + 1}`, paclitaxelGiven(`pac-${week + 1}`, day), [MEDS]));
}

function order(id: string, name: string, status: MedicationRequest['status'], authoredOn: string, extra: Partial<MedicationRequest> = {}): MedicationRequest {
  return { resourceType: 'MedicationRequest', id, status, intent: 'order', subject, medicationCodeableConcept: { text: name }, authoredOn, ...extra };
}

function condition(id: string, text: string, extra: Partial<Condition> = {}): Condition {
  return { resourceType: 'Condition', id, subject, code: { text }, ...extra };
}

const active = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
const resolved = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] };

function mcodeCourse(id: string, totalCGy: number, fractions: number, start: string, end: string): Procedure {
  return {
    resourceType: 'Procedure',
    id,
    meta: { profile: ['http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-course-summary'] },
    extension: [
      {
        url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique',
        extension: [
          { url: 'modality', valueCodeableConcept: { coding: [{ system: SNOMED, code: '1156506007', display: 'External beam radiation therapy using photons (procedure)' }] } },
          { url: 'technique', valueCodeableConcept: { coding: [{ system: SNOMED, code: '441799006', display: 'Intensity modulated radiation therapy (procedure)' }] } },
        ],
      },
      { url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-sessions', valueUnsignedInt: fractions },
      {
        url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-dose-delivered-to-volume',
        extension: [
          { url: 'volume', valueReference: { reference: 'BodyStructure/ptv' } },
          { url: 'totalDoseDelivered', valueQuantity: { value: totalCGy, unit: 'cGy', system: 'http://unitsofmeasure.org', code: 'cGy' } },
          { url: 'fractionsDelivered', valueUnsignedInt: fractions },
        ],
      },
    ],
    status: 'completed',
    code: { coding: [{ system: SNOMED, code: '1217123003', display: 'Radiotherapy course of treatment (regime/therapy)' }] },
    subject,
    performedPeriod: { start, end },
    bodySite: [{ coding: [{ system: SNOMED, code: '76752008', display: 'Breast structure (body structure)' }] }],
  };
}

describe('medicines', () => {
  it('summarises six weekly paclitaxel 80 mg/m2 administrations as one medicine', () => {
    const [medicine, ...others] = buildTreatmentSummary(weeklyPaclitaxel()).medicines;
    expect(others).toEqual([]);
    expect(medicine).toMatchObject({
      ingredient: 'paclitaxel',
      rxnormCodes: ['56946'],
      doses: [{ amount: 80, unit: 'mg/m²', count: 6 }],
      route: 'Intravenous',
      frequency: 'once a week',
      firstDate: '2023-06-06T14:05:00Z',
      lastDate: '2023-07-11T15:09:00Z',
      administrations: 6,
      cycles: 6,
      status: 'completed',
      sources: [hospital],
      recordIds: ['ma-1', 'ma-2', 'ma-3', 'ma-4', 'ma-5', 'ma-6'],
    });
  });

  it('groups differently written records of one drug, by RxNorm code or by normalised name', () => {
    const records = [
      ...weeklyPaclitaxel(),
      // Another portal names the drug only in words.
      stored('order-hie', order('o1', 'PACLitaxel 175 mg/m2 in NS', 'completed', '2023-06-01'), [MEDS], cancerCentre),
      stored('order-brand', order('o2', 'Taxol', 'completed', '2023-06-01'), [MEDS], cancerCentre),
    ];
    const { medicines } = buildTreatmentSummary(records);
    expect(medicines).toHaveLength(1);
    expect(medicines[0]?.sources).toEqual([hospital, cancerCentre]);
    expect(medicines[0]?.recordIds).toContain('order-brand');
  });

  it('counts an administration reported by two portals once', () => {
    const records = [...weeklyPaclitaxel(), stored('ma-1-hie', paclitaxelGiven('hie-77', WEEKLY_PACLITAXEL_DAYS[0] ?? ''), [MEDS], cancerCentre)];
    const medicine = buildTreatmentSummary(records).medicines[0];
    expect(medicine?.administrations).toBe(6);
    expect(medicine?.recordIds).toHaveLength(7);
    expect(medicine?.sources).toEqual([hospital, cancerCentre]);
  });

  it('joins an RxNorm ingredient code and a clinical-drug code of the same drug through its name', () => {
    const records = [
      stored('a', order('o1', 'cisplatin', 'completed', '2023-02-15', { medicationCodeableConcept: { coding: [{ system: RXNORM, code: '2555', display: 'cisplatin' }] } }), [MEDS]),
      stored('b', { ...paclitaxelGiven('m1', '2023-03-06'), medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1736854', display: 'Cisplatin 50 MG Injection' }] } }, [MEDS], cancerCentre),
    ];
    const [medicine] = buildTreatmentSummary(records).medicines;
    expect(medicine?.ingredient).toBe('cisplatin');
    expect(medicine?.rxnormCodes).toEqual(['2555', '1736854']);
  });

  const statuses: Array<{ name: string; records: StoredRecord[]; status: string }> = [
    {
      name: 'ongoing while an order is active',
      records: [stored('a', order('o1', 'letrozole 2.5 mg tablet', 'active', '2023-11-06'), [MEDS]), stored('b', order('o0', 'letrozole', 'completed', '2023-05-01'), [MEDS])],
      status: 'ongoing',
    },
    {
      name: 'stopped when the latest order was stopped',
      records: [stored('a', order('o1', 'capecitabine', 'completed', '2023-01-01'), [MEDS]), stored('b', order('o2', 'capecitabine', 'stopped', '2023-03-01'), [MEDS])],
      status: 'stopped',
    },
    { name: 'completed when only doses given are known', records: weeklyPaclitaxel(), status: 'completed' },
    { name: 'unknown when the only order says nothing', records: [stored('a', order('o1', 'tamoxifen', 'unknown', '2023-01-01'), [MEDS])], status: 'unknown' },
  ];
  it.each(statuses)('is $name', ({ records, status }) => {
    expect(buildTreatmentSummary(records).medicines[0]?.status).toBe(status);
  });

  it('takes the schedule from the order timing before the one seen between doses', () => {
    const records = [
      ...weeklyPaclitaxel(),
      stored('order', order('o1', 'paclitaxel', 'completed', '2023-06-01', { dosageInstruction: [{ timing: { repeat: { frequency: 1, period: 1, periodUnit: 'wk', count: 12 } } }] }), [MEDS]),
    ];
    expect(buildTreatmentSummary(records).medicines[0]?.frequency).toBe('once a week for 12 doses');
  });

  it('reads a medicine known only from its orders as taken continuously: dose and schedule, from its start to the end of its period', () => {
    const capecitabine = order('o1', 'capecitabine 500 mg tablet', 'completed', '2023-03-20', {
      dosageInstruction: [{ timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd', boundsPeriod: { start: '2023-03-20', end: '2023-06-30' } } }, doseAndRate: [{ doseQuantity: { value: 1500, unit: 'mg' } }] }],
      dispenseRequest: { validityPeriod: { end: '2024-03-20' } },
    });
    expect(buildTreatmentSummary([stored('a', capecitabine, [MEDS])]).medicines[0]).toMatchObject({
      regimen: 'continuous',
      doses: [],
      doseText: '1,500 mg 2 times a day',
      since: '2023-03-20',
      firstDate: '2023-03-20',
      lastGiven: '2023-06-30',
      lastDate: '2023-06-30',
      administrations: 0,
      cycles: 1,
      frequency: '2 times a day',
      evidence: { doseText: ['a'], firstDate: ['a'], lastGiven: ['a'] },
    });
  });

  it('falls back to the ordered dose when the doses given do not record one', () => {
    const records = [
      stored('given', paclitaxelGiven('m1', '2019-06-18', { dosage: {} }), [MEDS]),
      stored('order', order('o1', 'paclitaxel', 'completed', '2019-06-18', { dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: 100, unit: 'mg' } }] }] }), [MEDS]),
    ];
    expect(buildTreatmentSummary(records).medicines[0]?.doses).toEqual([{ amount: 100, unit: 'mg', count: 1, display: '100 mg', recordIds: ['order'] }]);
  });

  it('reads a dose written only in words', () => {
    const given = paclitaxelGiven('m1', '2023-06-06', { dosage: { text: 'Cisplatin 40 mg/m2 IV over 60 minutes' } });
    expect(buildTreatmentSummary([stored('a', given, [MEDS])]).medicines[0]?.doses).toEqual([{ amount: 40, unit: 'mg/m²', count: 1, display: '40 mg/m²', recordIds: ['a'] }]);
  });

  it('keeps a chemo-administration procedure that names no drug with the medicines given that day, without counting it', () => {
    const pump: Procedure = { resourceType: 'Procedure', id: 'p1', status: 'completed', subject, code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '96416' }], text: 'Chemo infusion pump initiation' }, performedDateTime: '2023-06-06T16:00:00Z' };
    const { medicines } = buildTreatmentSummary([...weeklyPaclitaxel(), stored('pump', pump, [MEDS])]);
    expect(medicines).toHaveLength(1);
    expect(medicines[0]?.recordIds).toContain('pump');
    expect(medicines[0]?.administrations).toBe(6);
    expect(medicines[0]?.cycles).toBe(6);
  });

  it('lists a chemo-administration procedure on a day with no named medicine as an unnamed cancer medicine', () => {
    const chemo: Procedure = { resourceType: 'Procedure', id: 'p1', status: 'completed', subject, code: { coding: [{ system: SNOMED, code: '367336001', display: 'Chemotherapy (procedure)' }] }, performedDateTime: '2019-06-18' };
    expect(buildTreatmentSummary([stored('chemo', chemo, [MEDS])]).medicines).toMatchObject([{ ingredient: UNNAMED_MEDICINE, cycles: 1, firstDate: '2019-06-18', status: 'completed' }]);
  });

  it('attributes a procedure to the medicine it names', () => {
    const infusion: Procedure = { resourceType: 'Procedure', id: 'p1', status: 'completed', subject, code: { text: 'Chemotherapy infusion' }, usedCode: [{ text: 'paclitaxel' }], performedDateTime: '2023-07-18' };
    const medicine = buildTreatmentSummary([...weeklyPaclitaxel(), stored('proc', infusion, [MEDS])]).medicines[0];
    expect(medicine?.cycles).toBe(7);
    expect(medicine?.administrations).toBe(6);
    expect(medicine?.lastDate).toBe('2023-07-18');
  });

  it('leaves out records that did not happen and records not filed as cancer medicines', () => {
    const records = [
      ...weeklyPaclitaxel(),
      stored('error', paclitaxelGiven('e1', '2023-07-18', { status: 'entered-in-error' }), [MEDS]),
      stored('not-done', paclitaxelGiven('e2', '2023-07-25', { status: 'not-done' }), [MEDS]),
      stored('ondansetron', order('o9', 'ondansetron 8 mg', 'active', '2023-06-06'), ['medicines-and-supplements']),
    ];
    const { medicines } = buildTreatmentSummary(records);
    expect(medicines.map((medicine) => medicine.ingredient)).toEqual(['paclitaxel']);
    expect(medicines[0]?.administrations).toBe(6);
  });

  it('orders medicines by when they started', () => {
    const records = [...weeklyPaclitaxel(), stored('dox', order('o1', 'DOXOrubicin (ADRIAMYCIN) chemo injection 114 mg', 'completed', '2023-04-03'), [MEDS])];
    expect(buildTreatmentSummary(records).medicines.map((medicine) => medicine.ingredient)).toEqual(['doxorubicin', 'paclitaxel']);
  });
});

describe('normaliseIngredientName', () => {
  const cases: Array<[string, string | null]> = [
    ['PACLitaxel 175 mg/m2 in NS', 'paclitaxel'],
    ['paclitaxel', 'paclitaxel'],
    ['PACLitaxel (TAXOL) 152 mg in sodium chloride 0.9 % 250 mL chemo infusion', 'paclitaxel'],
    ['letrozole 2.5 MG Oral Tablet', 'letrozole'],
    ['Cisplatin 50 MG Injection', 'cisplatin'],
    ['leucovorin calcium 800 mg in dextrose 5% 250 mL', 'leucovorin'],
    ['carboplatin AUC 5 IV', 'carboplatin'],
    ['fluorouracil 800 mg IV push', 'fluorouracil'],
    ['5-FU', 'fluorouracil'],
    ['Herceptin', 'trastuzumab'],
    ['doxorubicin hydrochloride liposomal', 'doxorubicin liposomal'],
    ['500 mg', null],
    ['   ', null],
  ];
  it.each(cases)('reads %j as %j', (name, ingredient) => {
    expect(normaliseIngredientName(name)).toBe(ingredient);
  });
});

describe('radiation', () => {
  it('summarises an mCODE course of 50 Gy in 25 fractions given in cGy', () => {
    const records = [stored('course', mcodeCourse('rt1', 5000, 25, '2023-09-18', '2023-10-20'), [RADIATION])];
    expect(buildTreatmentSummary(records).radiation).toEqual([
      {
        site: 'Breast',
        modality: 'IMRT',
        totalDoseGy: 50,
        fractions: 25,
        startDate: '2023-09-18',
        endDate: '2023-10-20',
        sources: [hospital],
        recordIds: ['course'],
        evidence: { site: ['course'], modality: ['course'], totalDoseGy: ['course'], fractions: ['course'], startDate: ['course'], endDate: ['course'] },
      },
    ]);
  });

  it('joins treatment records and the end-of-treatment summary document of one course', () => {
    const weekly = (id: string, day: string): Procedure => ({
      resourceType: 'Procedure',
      id,
      status: 'completed',
      subject,
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '77427', display: 'Radiation treatment management, 5 treatments' }] },
      performedDateTime: day,
    });
    const summary: DocumentReference = {
      resourceType: 'DocumentReference',
      id: 'eot',
      status: 'current',
      date: '2023-10-27',
      description: 'End of treatment summary: 5000 cGy to the left breast, 25 fractions, 6 MV photons',
      content: [{ attachment: { url: 'https://p/Binary/eot' } }],
    };
    const weeks = ['2023-09-22', '2023-09-29', '2023-10-06', '2023-10-13', '2023-10-20'];
    const records = [...weeks.map((day, week) => stored(`w${week + 1}`, weekly(`w${week + 1}`, day), [RADIATION])), stored('doc', summary, [RADIATION], cancerCentre)];
    expect(buildTreatmentSummary(records).radiation).toEqual([
      {
        site: null,
        // The summary names the delivered beam: megavoltage photons.
        modality: 'photon',
        totalDoseGy: 50,
        fractions: 25,
        startDate: '2023-09-22',
        endDate: '2023-10-20',
        sources: [hospital, cancerCentre],
        recordIds: ['w1', 'w2', 'w3', 'w4', 'w5', 'doc'],
        evidence: { site: [], modality: ['doc'], totalDoseGy: ['doc'], fractions: ['doc'], startDate: ['w1'], endDate: ['w5'] },
      },
    ]);
  });

  it('starts a new course after a gap of more than two weeks, and files a summary with the course it follows', () => {
    const session = (id: string, day: string): Procedure => ({ resourceType: 'Procedure', id, status: 'completed', subject, code: { text: 'Radiation treatment delivery' }, performedDateTime: day });
    const summary: DocumentReference = { resourceType: 'DocumentReference', status: 'current', date: '2023-10-27', description: 'RT summary: 20 Gy in 5 fractions', content: [] };
    const { radiation } = buildTreatmentSummary([
      stored('s1', session('s1', '2023-09-01'), [RADIATION]),
      stored('s2', session('s2', '2023-09-05'), [RADIATION]),
      stored('s3', session('s3', '2023-10-16'), [RADIATION]),
      stored('s4', session('s4', '2023-10-20'), [RADIATION]),
      stored('doc', summary, [RADIATION]),
    ]);
    expect(radiation.map((course) => [course.startDate, course.endDate, course.totalDoseGy, course.recordIds])).toEqual([
      ['2023-09-01', '2023-09-05', null, ['s1', 's2']],
      ['2023-10-16', '2023-10-20', 20, ['s3', 's4', 'doc']],
    ]);
  });

  it('keeps courses months apart, or at different sites, apart', () => {
    const brain: Procedure = { resourceType: 'Procedure', id: 'srs', status: 'completed', subject, code: { text: 'Stereotactic radiosurgery 20 Gy x 1' }, performedDateTime: '2023-10-01', bodySite: [{ text: 'Brain' }] };
    const records = [
      stored('breast', mcodeCourse('rt1', 5000, 25, '2023-09-18', '2023-10-20'), [RADIATION]),
      stored('brain', brain, [RADIATION]),
      stored('later', mcodeCourse('rt2', 3000, 10, '2024-05-01', '2024-05-14'), [RADIATION]),
    ];
    expect(buildTreatmentSummary(records).radiation.map((course) => [course.site, course.modality, course.totalDoseGy, course.fractions])).toEqual([
      ['Breast', 'IMRT', 50, 25],
      ['Brain', 'SRS', 20, 1],
      ['Breast', 'IMRT', 30, 10],
    ]);
  });

  const readings: Array<{ words: string; dose: number | null; fractions: number | null }> = [
    { words: 'WHOLE BREAST RT LEFT 40.05 GY/15 FX', dose: 40.05, fractions: 15 },
    { words: '50 Gy in 25 fractions', dose: 50, fractions: 25 },
    { words: '5000 cGy', dose: 50, fractions: null },
    { words: '2 Gy x 25 to the pelvis', dose: 50, fractions: 25 },
    { words: '1.8 Gy per fraction to a total of 50.4 Gy', dose: 50.4, fractions: null },
    { words: 'IMRT 70 Gy in 35 fractions to primary, 56 Gy in 35 fractions to elective neck', dose: 70, fractions: 35 },
    { words: 'Radiation planning, 28 fractions', dose: null, fractions: 28 },
    { words: 'Oncology follow-up', dose: null, fractions: null },
  ];
  it.each(readings)('reads "$words" as $dose Gy in $fractions fractions', ({ words, dose, fractions }) => {
    const facts = radiationFacts({ resourceType: 'Procedure', code: { text: words } });
    expect([facts.totalDoseGy, facts.fractions]).toEqual([dose, fractions]);
  });

  const modalities: Array<[string, string | null]> = [
    ['Proton beam therapy', 'proton'],
    ['SBRT lung 54 Gy in 3 fractions', 'SBRT'],
    ['HDR brachytherapy cervix', 'brachytherapy'],
    ['Teleradiotherapy procedure (procedure)', 'EBRT'],
    ['VMAT prostate', 'VMAT'],
    ['Whole breast RT', null],
  ];
  it.each(modalities)('reads the technique of "%s" as %j', (words, modality) => {
    expect(radiationFacts({ resourceType: 'Procedure', code: { text: words } }).modality).toBe(modality);
  });
});

describe('side effects', () => {
  const paclitaxelCourse = weeklyPaclitaxel(); // last dose 2023-07-11

  it('says a neuropathy still active after chemo ended continued after treatment', () => {
    const neuropathy = condition('c1', 'Chemotherapy-induced peripheral neuropathy', {
      clinicalStatus: active,
      onsetDateTime: '2023-06-27',
      recordedDate: '2023-06-27',
      meta: { lastUpdated: '2023-10-02T09:00:00Z' },
    });
    const [effect] = buildTreatmentSummary([...paclitaxelCourse, stored('neuro', neuropathy, [SIDE_EFFECTS])]).sideEffects;
    expect(effect).toMatchObject({
      what: 'Chemotherapy-induced peripheral neuropathy',
      firstNoted: '2023-06-27',
      linkedTreatments: [{ kind: 'medicine', name: 'paclitaxel', firstDate: '2023-06-06T14:05:00Z', lastDate: '2023-07-11T15:09:00Z', ongoing: false }],
      linkedBy: 'text',
      continuedAfterTreatment: 'yes',
      abatement: null,
      clinicalStatus: 'active',
      sources: [hospital],
      recordIds: ['neuro'],
    });
  });

  it('says nausea that resolved during chemo did not continue', () => {
    const nausea = condition('c2', 'Nausea', { clinicalStatus: resolved, onsetDateTime: '2023-06-07', abatementDateTime: '2023-06-20', note: [{ text: 'Nausea due to paclitaxel, settled with ondansetron.' }] });
    const [effect] = buildTreatmentSummary([...paclitaxelCourse, stored('nausea', nausea, [SIDE_EFFECTS])]).sideEffects;
    expect(effect).toMatchObject({ continuedAfterTreatment: 'no', abatement: '2023-06-20', clinicalStatus: 'resolved', linkedBy: 'text' });
  });

  const continuation: Array<{ name: string; extra: Partial<Condition>; asOf?: string; expected: string }> = [
    { name: 'abated after the last dose → yes, it continued for a while', extra: { clinicalStatus: resolved, abatementDateTime: '2023-09-01' }, expected: 'yes' },
    { name: 'abated on the last dose day → no', extra: { clinicalStatus: resolved, abatementDateTime: '2023-07-11' }, expected: 'no' },
    { name: 'active, last known during treatment → unknown', extra: { clinicalStatus: active, recordedDate: '2023-06-27' }, expected: 'unknown' },
    { name: 'active when the records were fetched after treatment → yes', extra: { clinicalStatus: active, recordedDate: '2023-06-27' }, asOf: '2024-01-15', expected: 'yes' },
    { name: 'a relapse after treatment → yes', extra: { clinicalStatus: { coding: [{ code: 'relapse' }] }, meta: { lastUpdated: '2023-08-20' } }, expected: 'yes' },
    { name: 'resolved with no date, last updated during treatment → no', extra: { clinicalStatus: resolved, meta: { lastUpdated: '2023-07-01' } }, expected: 'no' },
    { name: 'resolved with no date known → unknown', extra: { clinicalStatus: resolved }, expected: 'unknown' },
    { name: 'no status at all → unknown', extra: {}, expected: 'unknown' },
  ];
  it.each(continuation)('decides continuation: $name', ({ extra, asOf, expected }) => {
    const effect = condition('c', 'Fatigue', { onsetDateTime: '2023-06-20', ...extra });
    const summary = buildTreatmentSummary([...paclitaxelCourse, stored('fatigue', effect, [SIDE_EFFECTS])], asOf ? { asOf } : {});
    expect(summary.sideEffects[0]?.continuedAfterTreatment).toBe(expected);
  });

  it('links by timing alone when nothing else says, and says so', () => {
    const fatigue = condition('c', 'Fatigue', { onsetDateTime: '2023-06-20' });
    expect(buildTreatmentSummary([...paclitaxelCourse, stored('f', fatigue, [SIDE_EFFECTS])]).sideEffects[0]).toMatchObject({
      linkedBy: 'timing',
      linkedTreatments: [{ name: 'paclitaxel' }],
    });
  });

  it('does not decide continuation while the linked treatment goes on, unless it resolved', () => {
    const letrozole = stored('let', order('o1', 'letrozole 2.5 mg tablet', 'active', '2023-11-06'), [MEDS]);
    const aches = (extra: Partial<Condition>): StoredRecord => stored('aches', condition('c', 'Joint pain due to letrozole', { onsetDateTime: '2024-01-10', ...extra }), [SIDE_EFFECTS]);
    expect(buildTreatmentSummary([letrozole, aches({ clinicalStatus: active })], { asOf: '2024-06-01' }).sideEffects[0]?.continuedAfterTreatment).toBe('unknown');
    expect(buildTreatmentSummary([letrozole, aches({ clinicalStatus: resolved, abatementDateTime: '2024-02-01' })]).sideEffects[0]?.continuedAfterTreatment).toBe('no');
  });

  it("takes the patient's own answer over the dates, and links the treatment they named by its name", () => {
    const entered = (continued: boolean, id = 'ae'): StoredRecord =>
      stored(
        id,
        buildEntryResource(
          {
            resourceType: 'AdverseEvent',
            event: { text: 'Numb fingers' },
            date: '2023-06-20',
            suspectEntity: [{ instance: { display: 'Paclitaxel' } }],
            // Resolved on the last dose day: the dates alone would say "no".
            outcome: { coding: [{ code: 'resolved' }] },
            extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueBoolean: continued }],
          },
          { id, now: new Date('2023-07-11T12:00:00Z') },
        ),
        [SIDE_EFFECTS],
        { portalId: 'entries', portalName: 'Entered by you' },
      );
    const [effect] = buildTreatmentSummary([...paclitaxelCourse, entered(true)]).sideEffects;
    expect(effect).toMatchObject({ continuedAfterTreatment: 'yes', linkedBy: 'record', linkedTreatments: [{ kind: 'medicine', name: 'paclitaxel' }] });
    expect(buildTreatmentSummary([...paclitaxelCourse, entered(false)]).sideEffects[0]?.continuedAfterTreatment).toBe('no');
    // The same extension on a portal's record is not the patient's word.
    const portalRecord = stored('p', { ...(entered(true).resource as object), meta: { lastUpdated: '2023-07-11T12:00:00Z' } }, [SIDE_EFFECTS]);
    expect(buildTreatmentSummary([...paclitaxelCourse, portalRecord]).sideEffects[0]?.continuedAfterTreatment).toBe('no');
  });

  it('links an adverse event to the treatments it names as suspects', () => {
    const mucositis: AdverseEvent = {
      resourceType: 'AdverseEvent',
      id: 'ae1',
      actuality: 'actual',
      subject,
      event: { text: 'Oral mucositis, grade 3' },
      date: '2023-10-05',
      outcome: { coding: [{ code: 'resolved' }] },
      extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/ctcae-grade', valueCodeableConcept: { coding: [{ code: '3' }] } }],
      suspectEntity: [{ instance: { reference: 'Procedure/rt1' } }, { instance: { reference: 'https://hospital.example/fhir/MedicationAdministration/pac-6' } }, { instance: { display: 'Mouthwash trial' } }],
    };
    const records = [...paclitaxelCourse, stored('course', mcodeCourse('rt1', 5000, 25, '2023-09-18', '2023-10-20'), [RADIATION]), stored('ae', mucositis, [SIDE_EFFECTS])];
    const [effect] = buildTreatmentSummary(records).sideEffects;
    expect(effect?.linkedBy).toBe('record');
    expect(effect?.grade).toBe('3');
    expect(effect?.linkedTreatments.map((treatment) => [treatment.kind, treatment.name])).toEqual([
      ['radiation', 'IMRT to Breast'],
      ['medicine', 'paclitaxel'],
      ['other', 'Mouthwash trial'],
    ]);
  });

  it('links a radiation side effect named in words to the radiation course', () => {
    const dermatitis = condition('c', 'Radiation dermatitis of chest wall, grade 2', {
      code: { coding: [{ system: ICD10, code: 'L58.0', display: 'Acute radiodermatitis' }], text: 'Radiation dermatitis of chest wall, grade 2' },
      onsetDateTime: '2023-10-10',
      abatementDateTime: '2023-11-15',
      clinicalStatus: resolved,
    });
    const records = [...paclitaxelCourse, stored('course', mcodeCourse('rt1', 5000, 25, '2023-09-18', '2023-10-20'), [RADIATION]), stored('derm', dermatitis, [SIDE_EFFECTS])];
    expect(buildTreatmentSummary(records).sideEffects[0]).toMatchObject({
      grade: '2',
      linkedBy: 'text',
      linkedTreatments: [{ kind: 'radiation', lastDate: '2023-10-20' }],
      continuedAfterTreatment: 'yes',
    });
  });

  it('links an allergy to the cancer medicine that is its substance', () => {
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: 'al1',
      patient: subject,
      clinicalStatus: { coding: [{ code: 'active' }] },
      code: { coding: [{ system: RXNORM, code: '56946', display: 'paclitaxel' }], text: 'Paclitaxel' },
      onsetDateTime: '2023-06-13',
      reaction: [{ manifestation: [{ text: 'Flushing' }] }],
    };
    expect(buildTreatmentSummary([...paclitaxelCourse, stored('allergy', allergy, [SIDE_EFFECTS])]).sideEffects[0]).toMatchObject({
      what: 'Allergy: Paclitaxel',
      linkedBy: 'record',
      linkedTreatments: [{ name: 'paclitaxel' }],
    });
  });

  it('merges the same side effect reported by two portals, but not a later episode', () => {
    const neutropenia = (id: string, onsetDateTime: string, extra: Partial<Condition> = {}): Condition =>
      condition(id, 'Febrile neutropenia', { code: { coding: [{ system: SNOMED, code: '409089005', display: 'Febrile neutropenia (disorder)' }] }, onsetDateTime, ...extra });
    const records = [
      ...paclitaxelCourse,
      stored('fn-hospital', neutropenia('a', '2023-06-16', { clinicalStatus: resolved, abatementDateTime: '2023-06-19' }), [SIDE_EFFECTS], hospital),
      stored('fn-centre', neutropenia('b', '2023-06-17'), [SIDE_EFFECTS], cancerCentre),
      stored('fn-later', neutropenia('c', '2023-09-30'), [SIDE_EFFECTS], hospital),
    ];
    const { sideEffects } = buildTreatmentSummary(records);
    expect(sideEffects.map((effect) => effect.recordIds)).toEqual([['fn-hospital', 'fn-centre'], ['fn-later']]);
    expect(sideEffects[0]).toMatchObject({ sources: [hospital, cancerCentre], firstNoted: '2023-06-16', abatement: '2023-06-19', continuedAfterTreatment: 'no' });
  });

  it('merges a toxicity grade observation with the condition of the same name and keeps the highest grade', () => {
    const dysphagia = condition('c', 'Dysphagia', { onsetDateTime: '2023-06-20', clinicalStatus: active });
    const graded: Observation = {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { text: 'Toxicity assessment - Dysphagia (CTCAE v5.0)' },
      effectiveDateTime: '2023-06-27',
      valueInteger: 2,
    };
    const afterwards: Observation = { ...graded, id: 'o2', effectiveDateTime: '2023-08-01', valueInteger: 1 };
    const [effect, ...others] = buildTreatmentSummary([
      ...paclitaxelCourse,
      stored('cond', dysphagia, [SIDE_EFFECTS]),
      stored('obs', graded, [SIDE_EFFECTS]),
      stored('obs-later', afterwards, [SIDE_EFFECTS]),
    ]).sideEffects;
    expect(others).toEqual([]);
    expect(effect).toMatchObject({ what: 'Dysphagia', grade: '2', continuedAfterTreatment: 'yes', recordIds: ['cond', 'obs', 'obs-later'] });
  });

  it('reads a coded toxicity grade and an adverse event still ongoing after treatment', () => {
    const graded: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Peripheral sensory neuropathy (CTCAE)' },
      effectiveDateTime: '2023-07-04',
      valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA6752-5', display: 'Grade 2' }] },
    };
    const ongoing: AdverseEvent = {
      resourceType: 'AdverseEvent',
      actuality: 'actual',
      subject,
      event: { text: 'Peripheral sensory neuropathy' },
      date: '2023-07-04',
      outcome: { coding: [{ code: 'ongoing' }] },
      meta: { lastUpdated: '2023-09-12T10:00:00Z' },
    };
    const [effect] = buildTreatmentSummary([...paclitaxelCourse, stored('obs', graded, [SIDE_EFFECTS]), stored('ae', ongoing, [SIDE_EFFECTS], cancerCentre)]).sideEffects;
    expect(effect).toMatchObject({ what: 'Peripheral sensory neuropathy', grade: '2', continuedAfterTreatment: 'yes', clinicalStatus: 'ongoing', sources: [hospital, cancerCentre] });
  });

  it('leaves out side effects that were refuted, entered in error or only near misses', () => {
    const records = [
      ...paclitaxelCourse,
      stored('refuted', condition('c1', 'Neuropathy', { verificationStatus: { coding: [{ code: 'refuted' }] } }), [SIDE_EFFECTS]),
      stored('error', condition('c2', 'Rash', { verificationStatus: { coding: [{ code: 'entered-in-error' }] } }), [SIDE_EFFECTS]),
      stored('near-miss', { resourceType: 'AdverseEvent', actuality: 'potential', subject, event: { text: 'Wrong dose caught at pharmacy' } } satisfies AdverseEvent, [SIDE_EFFECTS]),
    ];
    expect(buildTreatmentSummary(records).sideEffects).toEqual([]);
  });

  it('names a cause the binder does not hold when the words give it', () => {
    const lymphedema = condition('c', 'Lymphedema of left arm due to axillary node dissection', { onsetDateTime: '2023-05-01' });
    expect(buildTreatmentSummary([stored('l', lymphedema, [SIDE_EFFECTS])]).sideEffects[0]).toMatchObject({
      linkedBy: 'text',
      linkedTreatments: [{ kind: 'other', name: 'axillary node dissection' }],
      continuedAfterTreatment: 'unknown',
    });
  });
});

describe('buildTreatmentSummary on untrusted input', () => {
  const junk: Array<{ name: string; records: unknown }> = [
    { name: 'not a list', records: 'records' },
    { name: 'a list of junk', records: [null, 4, 'x', { id: {} }, { resource: {} }] },
    {
      name: 'records with broken resources',
      records: [
        { id: 'a', resource: null, categories: [MEDS, RADIATION, SIDE_EFFECTS], sources: [hospital] },
        { id: 'b', resource: { resourceType: 'MedicationAdministration', medicationCodeableConcept: 5, effectiveDateTime: 'soon' }, categories: [MEDS], sources: 'x' },
        { id: 'c', resource: { resourceType: 'Procedure', extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-dose-delivered-to-volume', extension: 'x' }] }, categories: [RADIATION] },
        { id: 'd', resource: { resourceType: 'AdverseEvent', suspectEntity: [{ instance: 'Procedure/c' }], outcome: 7 }, categories: [SIDE_EFFECTS], sources: [] },
        { id: 'e', resource: { resourceType: 'Condition', evidence: 'x', onsetDateTime: 2023, clinicalStatus: [] }, categories: 'side effects', sources: [] },
        { id: 'f', resource: { resourceType: 'Procedure', code: { text: '9999999 cGy in 0 fractions' } }, categories: [RADIATION], sources: [] },
      ],
    },
  ];
  it.each(junk)('does not throw on $name', ({ records }) => {
    const summary = buildTreatmentSummary(records as StoredRecord[]);
    expect(Array.isArray(summary.medicines)).toBe(true);
    expect(Array.isArray(summary.radiation)).toBe(true);
    expect(Array.isArray(summary.sideEffects)).toBe(true);
  });

  it('ignores an impossible dose', () => {
    const summary = buildTreatmentSummary([stored('f', { resourceType: 'Procedure', code: { text: 'RT 9999999 cGy' } }, [RADIATION])]);
    expect(summary.radiation[0]?.totalDoseGy).toBeNull();
  });

  it('ignores an asOf that is not a date', () => {
    const effect = condition('c', 'Fatigue', { onsetDateTime: '2023-06-20', clinicalStatus: active });
    const summary = buildTreatmentSummary([...weeklyPaclitaxel(), stored('f', effect, [SIDE_EFFECTS])], { asOf: 'tomorrow' });
    expect(summary.sideEffects[0]?.continuedAfterTreatment).toBe('unknown');
  });
});

describe('a treatment summary you can rely on (the demo patient’s cases)', () => {
  const ANASTROZOLE = { coding: [{ system: RXNORM, code: '199224', display: 'anastrozole 1 MG Oral Tablet' }], text: 'anastrozole 1 mg tablet' };

  it('reads an ongoing daily pill as its dose and frequency since it started, not as a count of its order and dispense', () => {
    const prescribed = order('318841188', 'anastrozole 1 mg tablet', 'active', '2024-05-21T14:40:00Z', {
      medicationCodeableConcept: ANASTROZOLE,
      dosageInstruction: [
        {
          text: 'Take 1 tablet (1 mg) by mouth once daily.',
          route: { text: 'Oral' },
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
          doseAndRate: [{ doseQuantity: { value: 1, unit: 'mg' } }],
        },
      ],
    });
    const dispensed = {
      resourceType: 'MedicationDispense',
      id: '418800771',
      status: 'completed',
      subject,
      medicationCodeableConcept: ANASTROZOLE,
      whenHandedOver: '2024-05-21T19:40:00Z',
      dosageInstruction: [{ text: 'Take 1 tablet (1 mg) by mouth once daily.' }],
    };
    const [anastrozole] = buildTreatmentSummary([stored('order', prescribed, [MEDS]), stored('dispense', dispensed, [MEDS])], { asOf: '2024-07-02' }).medicines;
    expect(anastrozole).toMatchObject({
      ingredient: 'anastrozole',
      regimen: 'continuous',
      doses: [],
      doseText: '1 mg once a day',
      since: '2024-05-21T14:40:00Z',
      firstDate: '2024-05-21T14:40:00Z',
      lastGiven: null,
      lastDate: null,
      administrations: 0,
      status: 'ongoing',
      evidence: { doseText: ['order'], firstDate: ['order'], lastGiven: [] },
    });
  });

  it('takes "last given" from the doses given, never from a later order', () => {
    const records = [...weeklyPaclitaxel(), stored('renewal', order('o9', 'paclitaxel', 'completed', '2023-08-01'), [MEDS])];
    const [paclitaxel] = buildTreatmentSummary(records).medicines;
    expect(paclitaxel).toMatchObject({ regimen: 'course', lastGiven: '2023-07-11T15:09:00Z', lastDate: '2023-07-11T15:09:00Z' });
    expect(paclitaxel?.evidence.lastGiven).toEqual(['ma-6']);
  });

  const planning: Procedure = {
    resourceType: 'Procedure',
    id: '3521100522',
    status: 'completed',
    subject,
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '77263', display: 'Radiation therapy planning, complex' }], text: 'Therapeutic radiology treatment planning, complex' },
    performedDateTime: '2024-03-04T18:00:00Z',
  };
  const breastCourse: Procedure = {
    resourceType: 'Procedure',
    id: '3521100530',
    status: 'completed',
    subject,
    code: {
      coding: [
        { system: SNOMED, code: '1217123003', display: 'Radiotherapy course of treatment (regime/therapy)' },
        { system: SNOMED, code: '33195004', display: 'Teleradiotherapy procedure (procedure)' },
      ],
      text: 'External beam radiation therapy, right breast with tumor bed boost',
    },
    performedPeriod: { start: '2024-03-11T13:00:00Z', end: '2024-04-19T13:20:00Z' },
    bodySite: [{ coding: [{ system: SNOMED, code: '73056007', display: 'Right breast structure' }], text: 'Right breast' }],
    note: [{ text: 'Whole breast 4256 cGy/16 fx (6 MV tangents) + tumor bed boost 1000 cGy/4 fx (12 MeV electrons). Total 5256 cGy to the tumor bed.' }],
  };

  it('runs a radiation course from its first to its last fraction, not from its planning, with the technique that delivered its dose', () => {
    const [course] = buildTreatmentSummary([stored('plan', planning, [RADIATION]), stored('course', breastCourse, [RADIATION])]).radiation;
    expect(course).toMatchObject({
      site: 'Right breast',
      modality: 'photon',
      totalDoseGy: 42.56,
      fractions: 16,
      startDate: '2024-03-11T13:00:00Z',
      endDate: '2024-04-19T13:20:00Z',
      recordIds: ['course', 'plan'],
      evidence: { modality: ['course'], totalDoseGy: ['course'], startDate: ['course'], endDate: ['course'] },
    });
  });

  it('reads an electron course as electron when the delivered modality says so', () => {
    expect(radiationFacts({ resourceType: 'Procedure', note: [{ text: 'Scar boost 1000 cGy/5 fx with 9 MeV electrons' }] }).modality).toBe('electron');
    expect(radiationFacts({ resourceType: 'Procedure', note: [{ text: 'Whole breast 4256 cGy/16 fx (6 MV tangents) + boost 1000 cGy/4 fx (12 MeV electrons)' }] }).modality).toBe('photon');
  });

  it('links a radiation side effect to the course given at its site, even when another course is nearer in time', () => {
    const brainCourse = mcodeCourse('rt-brain', 3000, 10, '2024-05-20', '2024-05-31');
    brainCourse.bodySite = [{ text: 'Brain' }];
    const dermatitis = condition('c', 'Radiation dermatitis', {
      code: { coding: [{ system: ICD10, code: 'L58.0', display: 'Acute radiodermatitis' }], text: 'Radiation dermatitis' },
      bodySite: [{ text: 'Right breast' }],
      onsetDateTime: '2024-06-03',
      clinicalStatus: active,
    });
    const records = [stored('plan', planning, [RADIATION]), stored('course', breastCourse, [RADIATION]), stored('brain', brainCourse, [RADIATION]), stored('derm', dermatitis, [SIDE_EFFECTS])];
    const [effect] = buildTreatmentSummary(records, { asOf: '2024-07-02' }).sideEffects;
    expect(effect?.linkedTreatments.map((treatment) => treatment.name)).toEqual(['radiation to Right breast']);
    expect(effect?.linkedTreatments[0]).toMatchObject({ firstDate: '2024-03-11T13:00:00Z', lastDate: '2024-04-19T13:20:00Z' });
  });
});

describe('a cancer medicine known only from its orders', () => {
  it('reads an infusion ordered every three weeks as a course with its ordered dose, not as a continuous medicine', () => {
    const paclitaxel = order('o1', 'Paclitaxel', 'completed', '2023-02-01', { dosageInstruction: [{ text: '175 mg/m² IV every 3 weeks', doseAndRate: [{ doseQuantity: { value: 175, unit: 'mg/m2' } }] }] });
    expect(buildTreatmentSummary([stored('o1', paclitaxel, [MEDS])]).medicines[0]).toMatchObject({
      regimen: 'course',
      doses: [{ amount: 175, unit: 'mg/m²', count: 1 }],
      since: null,
      lastGiven: null,
    });
  });
});
