import { describe, expect, it } from 'vitest';
import { concept, sectionsToFhir } from '../../../src/records/ccda/sections.js';
import { fhirDateOfPoint, fhirDateOfTs } from '../../../src/records/ccda/dates.js';

describe('sectionsToFhir', () => {
  it('reports a section it cannot convert and converts the others', () => {
    const broken = {
      get problem(): never {
        throw new Error('unreadable');
      },
    };
    const result = sectionsToFhir({
      problems: [broken],
      immunizations: [{ product: { product: { name: 'Influenza', code: '140', code_system_name: 'CVX' } }, date_time: { point: { date: '2023-10-02T00:00:00.000Z', precision: 'day' } } }],
    });
    expect(result.warnings).toEqual(['The problems section could not be converted; the rest of the document was kept.']);
    expect(result.resources).toEqual([
      expect.objectContaining({ resourceType: 'Immunization', status: 'completed', occurrenceDateTime: '2023-10-02', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza' }], text: 'Influenza' } }),
    ]);
  });

  it('skips entries without a code and ignores sections it does not map', () => {
    expect(sectionsToFhir({ problems: [{ problem: {} }], social_history: [{ value: 'x' }], header: {} })).toEqual({ resources: [], warnings: [] });
    expect(sectionsToFhir(null)).toEqual({ resources: [], warnings: [] });
  });

  it('does not turn "no known allergies" (a negated allergy observation) into an allergy', () => {
    const result = sectionsToFhir({ allergies: [{ observation: { negation_indicator: true, allergen: { name: 'Penicillin', code: '7980', code_system_name: 'RXNORM' } } }] });
    expect(result.resources).toEqual([]);
  });

  it('marks a problem with an end date resolved, and a refused vaccine not done', () => {
    const result = sectionsToFhir({
      problems: [{ problem: { code: { name: 'Pneumonia', code: '233604007', code_system_name: 'SNOMED CT' }, date_time: { low: { date: '2020-01-01T00:00:00.000Z', precision: 'day' }, high: { date: '2020-02-01T00:00:00.000Z', precision: 'day' } } } }],
      immunizations: [{ status: 'refused', product: { product: { name: 'Zoster', code: '187', code_system_name: 'CVX' } } }],
    });
    expect(result.resources[0]).toMatchObject({ clinicalStatus: { coding: [{ code: 'resolved' }] }, onsetDateTime: '2020-01-01', abatementDateTime: '2020-02-01' });
    expect(result.resources[1]).toMatchObject({ status: 'not-done', occurrenceString: 'unknown' });
  });
});

describe('concept', () => {
  it('keeps translations and drops null flavors', () => {
    expect(concept({ name: 'Problem', code: '55607006', code_system_name: 'SNOMED CT', translations: [{ code: '75326-9', code_system_name: 'LOINC', name: 'Problem' }] })).toEqual({
      coding: [
        { system: 'http://snomed.info/sct', code: '55607006', display: 'Problem' },
        { system: 'http://loinc.org', code: '75326-9', display: 'Problem' },
      ],
      text: 'Problem',
    });
    expect(concept({ code: 'UNK', code_system_name: 'Null Flavor', name: 'Unknown' })).toBeNull();
    expect(concept({ name: 'Local thing', code: 'X1', code_system_name: 'Local' })).toEqual({ coding: [{ code: 'X1', display: 'Local thing' }], text: 'Local thing' });
  });
});

describe('HL7 timestamps', () => {
  it.each([
    ['2024', '2024'],
    ['202403', '2024-03'],
    ['20240315', '2024-03-15'],
    ['202403151030', '2024-03-15T10:30:00Z'],
    ['20240315103000-0500', '2024-03-15T10:30:00-05:00'],
    ['20240315103000.123+0100', '2024-03-15T10:30:00.123+01:00'],
    ['not a date', null],
    ['', null],
  ])('%s → %s', (ts, fhir) => expect(fhirDateOfTs(ts)).toBe(fhir));

  it("reads blue-button's points at their precision", () => {
    expect(fhirDateOfPoint({ date: '2024-03-01T00:00:00.000Z', precision: 'day' })).toBe('2024-03-01');
    expect(fhirDateOfPoint({ date: '2024-03-01T00:00:00.000Z', precision: 'month' })).toBe('2024-03');
    expect(fhirDateOfPoint({ date: '2024-03-01T13:30:00.000Z', precision: 'second' })).toBe('2024-03-01T13:30:00Z');
    expect(fhirDateOfPoint({ date: 'garbage', precision: 'day' })).toBeNull();
  });
});
