import type {
  AdverseEvent,
  AllergyIntolerance,
  Condition,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  ImagingStudy,
  Immunization,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  MedicationStatement,
  Observation,
  FhirResource,
  Procedure,
} from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';

import { extractBinderFields, referencedPatientIds } from '../../../src/records/binder-fields.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const subject = { reference: 'Patient/p1' };

const glucose: Observation = {
  resourceType: 'Observation',
  id: 'glu-1',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: LOINC, code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }], text: 'Glucose' },
  subject,
  effectiveDateTime: '2024-03-05T07:30:00-05:00',
  issued: '2024-03-05T09:00:00-05:00',
  valueQuantity: { value: 162, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  interpretation: [{ coding: [{ code: 'H', display: 'High' }], text: 'High' }],
  referenceRange: [{ low: { value: 70 }, high: { value: 99 }, text: '70-99 mg/dL' }],
};

const containedPaclitaxel: Medication = { resourceType: 'Medication', id: 'm1', code: { coding: [{ system: RXNORM, code: '56946', display: 'paclitaxel' }] } };

describe('extractBinderFields: titles', () => {
  const cases: Array<{ name: string; resource: FhirResource; title: string }> = [
    { name: 'an Observation by its code text', resource: glucose, title: 'Glucose' },
    {
      name: 'a Condition by its first coding display without the SNOMED semantic tag',
      resource: { resourceType: 'Condition', subject, code: { coding: [{ system: SNOMED, code: '254637007', display: 'Non-small cell lung cancer (disorder)' }] } } satisfies Condition,
      title: 'Non-small cell lung cancer',
    },
    {
      name: 'a Procedure by its code',
      resource: { resourceType: 'Procedure', status: 'completed', subject, code: { text: 'Left breast lumpectomy' } } satisfies Procedure,
      title: 'Left breast lumpectomy',
    },
    {
      name: 'a DocumentReference by its description first',
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        description: 'Radiation oncology end of treatment summary',
        type: { text: 'Progress note' },
        content: [{ attachment: { title: 'RT summary.pdf' } }],
      } satisfies DocumentReference,
      title: 'Radiation oncology end of treatment summary',
    },
    {
      name: 'a DocumentReference by its type text when it has no description',
      resource: { resourceType: 'DocumentReference', status: 'current', type: { text: 'Op Note' }, content: [{ attachment: { title: 'x' } }] } satisfies DocumentReference,
      title: 'Op Note',
    },
    {
      name: 'a DocumentReference by its attachment title when the type has only codes',
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { coding: [{ system: LOINC, code: '11526-1', display: 'Pathology study' }] },
        content: [{ attachment: { title: 'Surgical pathology, left breast' } }],
      } satisfies DocumentReference,
      title: 'Surgical pathology, left breast',
    },
    {
      name: 'a MedicationRequest by its medication',
      resource: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: 'letrozole 2.5 mg tablet' } } satisfies MedicationRequest,
      title: 'letrozole 2.5 mg tablet',
    },
    {
      name: 'a MedicationAdministration by a contained Medication it references by #id',
      resource: {
        resourceType: 'MedicationAdministration',
        status: 'completed',
        subject,
        effectiveDateTime: '2024-01-02',
        contained: [containedPaclitaxel],
        medicationReference: { reference: '#m1' },
      } satisfies MedicationAdministration,
      title: 'paclitaxel',
    },
    {
      name: 'a MedicationStatement by the display of an external Medication reference',
      resource: { resourceType: 'MedicationStatement', status: 'active', subject, medicationReference: { reference: 'Medication/9', display: 'Tamoxifen 20 mg' } } satisfies MedicationStatement,
      title: 'Tamoxifen 20 mg',
    },
    {
      name: 'an Immunization by its vaccine',
      resource: { resourceType: 'Immunization', status: 'completed', patient: subject, occurrenceDateTime: '2023-10-01', vaccineCode: { text: 'Influenza vaccine' } } satisfies Immunization,
      title: 'Influenza vaccine',
    },
    {
      name: 'an inpatient Encounter as a stay',
      resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'IMP', display: 'inpatient encounter' }, type: [{ text: 'Hospital Encounter' }] } satisfies Encounter,
      title: 'Inpatient stay',
    },
    {
      name: 'an outpatient Encounter by its type',
      resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, type: [{ text: 'Infusion visit' }] } satisfies Encounter,
      title: 'Infusion visit',
    },
    {
      name: 'an ImagingStudy by its modalities when it has no description',
      resource: {
        resourceType: 'ImagingStudy',
        status: 'available',
        subject,
        modality: [{ code: 'CT', display: 'Computed Tomography' }],
        series: [{ uid: '1', modality: { code: 'PT', display: 'Positron emission tomography' } }],
      } satisfies ImagingStudy,
      title: 'Imaging study: Computed Tomography, Positron emission tomography',
    },
    {
      name: 'an AllergyIntolerance as "Allergy: <substance>"',
      resource: { resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Carboplatin' } } satisfies AllergyIntolerance,
      title: 'Allergy: Carboplatin',
    },
    {
      name: 'an AdverseEvent by its event',
      resource: { resourceType: 'AdverseEvent', actuality: 'actual', subject, event: { text: 'Oral mucositis' } } satisfies AdverseEvent,
      title: 'Oral mucositis',
    },
    {
      name: 'a record with nothing to title it by its type in words',
      resource: { resourceType: 'DiagnosticReport', status: 'final', code: {} } satisfies DiagnosticReport,
      title: 'Diagnostic report',
    },
  ];
  it.each(cases)('titles $name', ({ resource, title }) => {
    expect(extractBinderFields(resource).title).toBe(title);
  });
});

describe('extractBinderFields: dates', () => {
  const cases: Array<{ name: string; resource: FhirResource; date: string | null; endDate: string | null }> = [
    { name: 'an Observation from effectiveDateTime, not issued', resource: glucose, date: '2024-03-05T07:30:00-05:00', endDate: null },
    {
      name: 'a DiagnosticReport from issued when it has no effective date',
      resource: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'CT' }, issued: '2024-02-01T10:00:00Z' } satisfies DiagnosticReport,
      date: '2024-02-01T10:00:00Z',
      endDate: null,
    },
    {
      name: 'a Procedure from its performed period',
      resource: { resourceType: 'Procedure', status: 'completed', subject, performedPeriod: { start: '2023-09-18', end: '2023-10-06' } } satisfies Procedure,
      date: '2023-09-18',
      endDate: '2023-10-06',
    },
    {
      name: 'a MedicationRequest from authoredOn, ending when its dosage bounds end',
      resource: {
        resourceType: 'MedicationRequest',
        status: 'completed',
        intent: 'order',
        subject,
        authoredOn: '2023-04-03',
        dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2023-04-03', end: '2023-05-15' } } } }],
        dispenseRequest: { validityPeriod: { end: '2024-04-03' } },
      } satisfies MedicationRequest,
      date: '2023-04-03',
      endDate: '2023-05-15',
    },
    {
      name: 'a MedicationRequest ending with its validity when it has no dosage bounds',
      resource: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, authoredOn: '2023-11-06', dispenseRequest: { validityPeriod: { end: '2024-11-06' } } } satisfies MedicationRequest,
      date: '2023-11-06',
      endDate: '2024-11-06',
    },
    {
      name: 'a Condition from onset to abatement',
      resource: { resourceType: 'Condition', subject, onsetDateTime: '2023-05-08', abatementDateTime: '2023-05-11', recordedDate: '2023-05-09' } satisfies Condition,
      date: '2023-05-08',
      endDate: '2023-05-11',
    },
    {
      name: 'a Condition from recordedDate when it has no onset',
      resource: { resourceType: 'Condition', subject, recordedDate: '2023-05-09' } satisfies Condition,
      date: '2023-05-09',
      endDate: null,
    },
    {
      name: 'an Immunization from occurrenceDateTime',
      resource: { resourceType: 'Immunization', status: 'completed', patient: subject, vaccineCode: {}, occurrenceDateTime: '2021-03-02' } satisfies Immunization,
      date: '2021-03-02',
      endDate: null,
    },
    {
      name: 'an Encounter from its period',
      resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, period: { start: '2023-05-08T22:14:00Z', end: '2023-05-11T17:45:00Z' } } satisfies Encounter,
      date: '2023-05-08T22:14:00Z',
      endDate: '2023-05-11T17:45:00Z',
    },
    {
      name: 'an ImagingStudy from started',
      resource: { resourceType: 'ImagingStudy', status: 'available', subject, started: '2023-02-06T09:40:00Z' } satisfies ImagingStudy,
      date: '2023-02-06T09:40:00Z',
      endDate: null,
    },
    {
      name: 'a DocumentReference from the period it documents before its own date',
      resource: { resourceType: 'DocumentReference', status: 'current', content: [], date: '2023-03-15T08:00:00Z', context: { period: { start: '2023-03-14T12:30:00Z' } } } satisfies DocumentReference,
      date: '2023-03-14T12:30:00Z',
      endDate: null,
    },
    {
      name: 'an AdverseEvent from its date',
      resource: { resourceType: 'AdverseEvent', actuality: 'actual', subject, date: '2023-03-27', detected: '2023-03-28' } satisfies AdverseEvent,
      date: '2023-03-27',
      endDate: null,
    },
    {
      name: 'any record from meta.lastUpdated as a last resort',
      resource: { resourceType: 'Observation', status: 'final', code: {}, meta: { lastUpdated: '2023-01-01T00:00:00Z' } } satisfies Observation,
      date: '2023-01-01T00:00:00Z',
      endDate: null,
    },
  ];
  it.each(cases)('dates $name', ({ resource, date, endDate }) => {
    const fields = extractBinderFields(resource);
    expect(fields.date).toBe(date);
    expect(fields.endDate).toBe(endDate);
  });

  it('skips a date that is not a FHIR date and uses the next field', () => {
    const fields = extractBinderFields({ resourceType: 'Condition', onsetDateTime: 'last spring', recordedDate: '2023-04-01' });
    expect(fields.date).toBe('2023-04-01');
  });
});

describe('extractBinderFields: status', () => {
  const cases: Array<{ name: string; resource: FhirResource; status: string | null }> = [
    { name: 'a result by its status', resource: glucose, status: 'final' },
    {
      name: 'a Condition by its clinical status code',
      resource: { resourceType: 'Condition', subject, clinicalStatus: { coding: [{ code: 'active' }] }, verificationStatus: { coding: [{ code: 'confirmed' }] } } satisfies Condition,
      status: 'active',
    },
    {
      name: 'an AllergyIntolerance by its clinical status',
      resource: { resourceType: 'AllergyIntolerance', patient: subject, clinicalStatus: { coding: [{ code: 'inactive' }] } } satisfies AllergyIntolerance,
      status: 'inactive',
    },
    {
      name: 'an AdverseEvent by its outcome in words',
      resource: { resourceType: 'AdverseEvent', actuality: 'actual', subject, outcome: { coding: [{ code: 'resolvedWithSequelae' }] } } satisfies AdverseEvent,
      status: 'resolved with sequelae',
    },
    {
      name: 'a near-miss AdverseEvent as potential whatever its outcome',
      resource: { resourceType: 'AdverseEvent', actuality: 'potential', subject, outcome: { coding: [{ code: 'resolved' }] } } satisfies AdverseEvent,
      status: 'potential',
    },
    {
      name: 'an entered-in-error record in words',
      resource: { resourceType: 'Procedure', status: 'entered-in-error', subject } satisfies Procedure,
      status: 'entered in error',
    },
  ];
  it.each(cases)('reads $name', ({ resource, status }) => {
    expect(extractBinderFields(resource).status).toBe(status);
  });
});

describe('extractBinderFields: codes', () => {
  it('lists the main code codings and leaves out the category', () => {
    expect(extractBinderFields(glucose).codes).toEqual([{ system: LOINC, code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }]);
  });

  it('reads medicine codes from the medication concept and vaccine codes from vaccineCode', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: '56946', display: 'paclitaxel' }, { code: 'no-system-local' }] },
    };
    expect(extractBinderFields(request).codes).toEqual([
      { system: RXNORM, code: '56946', display: 'paclitaxel' },
      { system: null, code: 'no-system-local' },
    ]);
    const vaccine: Immunization = { resourceType: 'Immunization', status: 'completed', patient: subject, occurrenceDateTime: '2023-10-17', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '150' }] } };
    expect(extractBinderFields(vaccine).codes).toEqual([{ system: 'http://hl7.org/fhir/sid/cvx', code: '150' }]);
  });

  it('lists a coding repeated in two places once', () => {
    const encounter: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, type: [{ coding: [{ system: 's', code: '1' }] }, { coding: [{ system: 's', code: '1' }] }] };
    expect(extractBinderFields(encounter).codes).toHaveLength(1);
  });
});

describe('extractBinderFields: result values', () => {
  it('reads a quantity with its unit, reference range and interpretation', () => {
    expect(extractBinderFields(glucose).value).toEqual({
      value: 162,
      unit: 'mg/dL',
      display: '162 mg/dL',
      referenceRange: { low: 70, high: 99, text: '70-99 mg/dL' },
      interpretation: 'High',
    });
  });

  it('keeps the comparator of a bound such as "<0.5"', () => {
    const psa: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'PSA' }, valueQuantity: { value: 0.5, comparator: '<', unit: 'ng/mL' } };
    expect(extractBinderFields(psa).value).toEqual({ value: 0.5, unit: 'ng/mL', comparator: '<', display: '< 0.5 ng/mL' });
  });

  const simpleValues: Array<{ name: string; extra: Partial<Observation>; value: number | string }> = [
    { name: 'a string', extra: { valueString: 'Positive (95%)' }, value: 'Positive (95%)' },
    { name: 'a coded value by its text', extra: { valueCodeableConcept: { coding: [{ code: '8517006', display: 'Ex-smoker (finding)' }] } }, value: 'Ex-smoker' },
    { name: 'an integer', extra: { valueInteger: 2 }, value: 2 },
    { name: 'a boolean', extra: { valueBoolean: false }, value: 'no' },
    { name: 'a range', extra: { valueRange: { low: { value: 1, unit: 'mg' }, high: { value: 3, unit: 'mg' } } }, value: '1 mg – 3 mg' },
    { name: 'a ratio', extra: { valueRatio: { numerator: { value: 1 }, denominator: { value: 160 } } }, value: '1 / 160' },
  ];
  it.each(simpleValues)('reads $name', ({ extra, value }) => {
    const observation: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra };
    expect(extractBinderFields(observation).value?.value).toBe(value);
  });

  it('shows blood pressure from its components as "138/84" with their shared unit, read as mmHg', () => {
    const bloodPressure: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Blood Pressure' },
      component: [
        { code: { text: 'Systolic' }, valueQuantity: { value: 138, unit: 'mm[Hg]' } },
        { code: { text: 'Diastolic' }, valueQuantity: { value: 84, unit: 'mm[Hg]' } },
      ],
    };
    expect(extractBinderFields(bloodPressure).value).toEqual({
      value: '138/84',
      unit: 'mmHg',
      display: '138/84 mmHg',
      components: [
        { title: 'Systolic', value: 138, unit: 'mmHg', display: '138 mmHg' },
        { title: 'Diastolic', value: 84, unit: 'mmHg', display: '84 mmHg' },
      ],
    });
  });

  it('gives no value for a result without one, and none for non-results', () => {
    expect(extractBinderFields({ resourceType: 'Observation', status: 'final', code: {}, dataAbsentReason: { text: 'not done' } }).value).toBeNull();
    expect(extractBinderFields({ resourceType: 'Condition', valueQuantity: { value: 1 } }).value).toBeNull();
  });
});

describe('extractBinderFields: doses', () => {
  it('reads an order dose, route and schedule in words', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { text: 'capecitabine 500 mg tablet' },
      dosageInstruction: [
        {
          text: '1,500 mg by mouth twice daily for 14 days',
          route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route (qualifier value)' }] },
          timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd', boundsDuration: { value: 14, code: 'd' } } },
          doseAndRate: [{ doseQuantity: { value: 1500, unit: 'mg' } }],
        },
      ],
    };
    expect(extractBinderFields(request).dose).toEqual({
      amount: 1500,
      unit: 'mg',
      display: '1,500 mg',
      route: 'Oral',
      frequency: '2 times a day for 14 days',
      text: '1,500 mg by mouth twice daily for 14 days',
    });
  });

  const schedules: Array<{ repeat: NonNullable<NonNullable<MedicationRequest['dosageInstruction']>[number]['timing']>['repeat']; words: string }> = [
    { repeat: { frequency: 1, period: 1, periodUnit: 'd' }, words: 'once a day' },
    { repeat: { frequency: 2, period: 1, periodUnit: 'd' }, words: '2 times a day' },
    { repeat: { frequency: 1, period: 21, periodUnit: 'd' }, words: 'every 21 days' },
    { repeat: { frequency: 1, period: 1, periodUnit: 'wk', count: 7 }, words: 'once a week for 7 doses' },
    { repeat: { period: 8, periodUnit: 'h' }, words: 'every 8 hours' },
    { repeat: { frequency: 1, period: 1, periodUnit: 'h' }, words: 'once an hour' },
    { repeat: { frequency: 1, frequencyMax: 2, period: 1, periodUnit: 'd' }, words: '1–2 times a day' },
    { repeat: { frequency: 1, period: 1, periodUnit: 'wk', dayOfWeek: ['mon', 'thu'] }, words: 'once a week on Monday, Thursday' },
    { repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['HS'] }, words: 'once a day at bedtime' },
  ];
  it.each(schedules)('describes a schedule as "$words"', ({ repeat, words }) => {
    const request: MedicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, dosageInstruction: [{ timing: { repeat } }] };
    expect(extractBinderFields(request).dose?.frequency).toBe(words);
  });

  it('falls back to the timing code text, then to the dosage text, for the schedule', () => {
    const coded: MedicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, dosageInstruction: [{ timing: { code: { text: 'BID' } } }] };
    expect(extractBinderFields(coded).dose?.frequency).toBe('BID');
    const written: MedicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, dosageInstruction: [{ text: 'Take daily' }] };
    expect(extractBinderFields(written).dose?.frequency).toBe('Take daily');
  });

  it('adds "as needed" to a schedule the order marks as needed', () => {
    const request: MedicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, dosageInstruction: [{ asNeededBoolean: true, timing: { repeat: { period: 6, periodUnit: 'h' } } }] };
    expect(extractBinderFields(request).dose?.frequency).toBe('every 6 hours, as needed');
  });

  it('reads a dose given from MedicationAdministration.dosage, with no schedule', () => {
    const given: MedicationAdministration = {
      resourceType: 'MedicationAdministration',
      status: 'completed',
      subject,
      effectiveDateTime: '2023-07-11',
      medicationCodeableConcept: { text: 'paclitaxel' },
      dosage: { text: '80 mg/m2', route: { text: 'IV' }, dose: { value: 152, unit: 'mg' } },
    };
    expect(extractBinderFields(given).dose).toEqual({ amount: 152, unit: 'mg', display: '152 mg', route: 'IV', text: '80 mg/m2' });
  });

  it('reads the first MedicationStatement dosage', () => {
    const statement: MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'active',
      subject,
      medicationCodeableConcept: { text: 'tamoxifen' },
      dosage: [{ text: '20 mg daily', doseAndRate: [{ doseQuantity: { value: 20, code: 'mg' } }] }, { text: 'ignored' }],
    };
    expect(extractBinderFields(statement).dose).toEqual({ amount: 20, unit: 'mg', display: '20 mg', frequency: '20 mg daily', text: '20 mg daily' });
  });

  it('gives no dose for records that are not medicines', () => {
    expect(extractBinderFields(glucose).dose).toBeNull();
  });
});

describe('extractBinderFields: documents', () => {
  it('lists DocumentReference attachments with url, type, title, size and hash', () => {
    const document: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [
        { attachment: { contentType: 'application/pdf', url: 'https://portal.example/fhir/Binary/b1', title: 'Pathology report', size: 20480, hash: 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=' } },
        { attachment: { contentType: 'text/plain', data: 'aGVsbG8=' } },
      ],
    };
    expect(extractBinderFields(document).documents).toEqual([
      { url: 'https://portal.example/fhir/Binary/b1', contentType: 'application/pdf', title: 'Pathology report', size: 20480, hash: 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=' },
      { contentType: 'text/plain', embedded: true },
    ]);
  });

  it('lists a DiagnosticReport presentedForm', () => {
    const report: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'Surgical pathology' }, presentedForm: [{ url: 'Binary/77', contentType: 'application/pdf' }] };
    expect(extractBinderFields(report).documents).toEqual([{ url: 'Binary/77', contentType: 'application/pdf' }]);
  });
});

describe('patient references', () => {
  const cases: Array<{ name: string; resource: unknown; patient: string | null }> = [
    { name: 'a relative subject', resource: { resourceType: 'Observation', subject: { reference: 'Patient/abc.123' } }, patient: 'abc.123' },
    { name: 'an absolute subject with a version', resource: { resourceType: 'Observation', subject: { reference: 'https://fhir.example.org/R4/Patient/e1X/_history/3' } }, patient: 'e1X' },
    { name: 'the patient field', resource: { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/42' } }, patient: '42' },
    { name: 'a Synthea urn:uuid subject', resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:7f4c335a-5937-43f0-ac01-6ea2ca9b9c9f' } }, patient: '7f4c335a-5937-43f0-ac01-6ea2ca9b9c9f' },
    { name: 'a Group subject (not a patient)', resource: { resourceType: 'Observation', subject: { reference: 'Group/7' } }, patient: null },
    { name: 'a urn subject typed as a Device', resource: { resourceType: 'Observation', subject: { reference: 'urn:uuid:1', type: 'Device' } }, patient: null },
    { name: 'a display-only subject', resource: { resourceType: 'Observation', subject: { display: 'Jane Doe' } }, patient: null },
    { name: 'a conditional reference', resource: { resourceType: 'Observation', subject: { reference: 'Patient?identifier=x|1' } }, patient: null },
    { name: 'a Patient resource (about itself)', resource: { resourceType: 'Patient', id: 'p9' }, patient: 'p9' },
  ];
  it.each(cases)('reads $name', ({ resource, patient }) => {
    expect(extractBinderFields(resource).patientRef).toBe(patient);
  });

  it('lists every patient named in subject, patient and beneficiary, once each', () => {
    expect(
      referencedPatientIds({
        resourceType: 'Coverage',
        subject: { reference: 'Patient/a' },
        patient: { reference: 'https://x.example/Patient/b' },
        beneficiary: { reference: 'Patient/a' },
      }),
    ).toEqual(['a', 'b']);
  });
});

describe('references the sync should fetch', () => {
  it('lists practitioners, organizations, medications, locations and attachment binaries once each', () => {
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: { text: 'Surgical pathology' },
      subject,
      performer: [{ reference: 'Practitioner/dr1' }, { reference: 'Organization/lab' }, { reference: 'Practitioner/dr1' }],
      resultsInterpreter: [{ reference: 'https://portal.example/fhir/Practitioner/dr2' }],
      result: [{ reference: 'Observation/o1' }],
      presentedForm: [{ url: 'https://portal.example/fhir/Binary/pdf1' }, { url: 'https://cdn.example/report.pdf' }],
      specimen: [{ reference: '#sp1' }],
      encounter: { reference: 'Encounter?identifier=x' },
    };
    expect(extractBinderFields(report).references).toEqual([
      { resourceType: 'Practitioner', id: 'dr1' },
      { resourceType: 'Organization', id: 'lab' },
      { resourceType: 'Practitioner', id: 'dr2', url: 'https://portal.example/fhir/Practitioner/dr2' },
      { resourceType: 'Binary', id: 'pdf1', url: 'https://portal.example/fhir/Binary/pdf1' },
    ]);
  });

  it('keeps the absolute form when a resource is referenced both ways', () => {
    const procedure: Procedure = {
      resourceType: 'Procedure',
      status: 'completed',
      subject,
      location: { reference: 'Location/or1' },
      performer: [{ actor: { reference: 'https://p.example/fhir/Location/or1' } }],
    };
    expect(extractBinderFields(procedure).references).toEqual([{ resourceType: 'Location', id: 'or1', url: 'https://p.example/fhir/Location/or1' }]);
  });

  it('lists a Medication referenced by an order', () => {
    const request: MedicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationReference: { reference: 'Medication/m7' } };
    expect(extractBinderFields(request).references).toEqual([{ resourceType: 'Medication', id: 'm7' }]);
  });
});
