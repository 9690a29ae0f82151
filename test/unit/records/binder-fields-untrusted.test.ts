import { describe, expect, it } from 'vitest';

import { extractBinderFields, referencedPatientIds } from '../../../src/records/binder-fields.js';

// Portal data is untrusted: odd shapes must give empty answers, never an exception.
const garbage: Array<{ name: string; input: unknown }> = [
  { name: 'undefined', input: undefined },
  { name: 'null', input: null },
  { name: 'a number', input: 42 },
  { name: 'a string', input: 'Observation' },
  { name: 'an array', input: [{ resourceType: 'Observation' }] },
  { name: 'an empty object', input: {} },
  { name: 'a non-string resourceType', input: { resourceType: 7, id: 9 } },
  { name: 'a lower-case resourceType', input: { resourceType: 'observation; drop table' } },
  {
    name: 'an Observation with every field the wrong type',
    input: {
      resourceType: 'Observation',
      code: 'glucose',
      effectiveDateTime: 20240101,
      valueQuantity: { value: 'high', unit: 5 },
      referenceRange: 'normal',
      interpretation: { coding: 'H' },
      component: [null, 3, { code: 1, valueQuantity: [] }],
      subject: 'Patient/1',
      status: { code: 'final' },
    },
  },
  {
    name: 'a MedicationRequest with broken dosage and medication',
    input: {
      resourceType: 'MedicationRequest',
      medicationCodeableConcept: [],
      medicationReference: { reference: '#missing' },
      contained: 'nope',
      dosageInstruction: { timing: { repeat: { frequency: 'twice', period: -1, periodUnit: 'fortnight' } }, doseAndRate: 'lots' },
      authoredOn: '2023-13-45',
    },
  },
  {
    name: 'a MedicationAdministration whose dosage is a list',
    input: { resourceType: 'MedicationAdministration', dosage: [{ dose: { value: '80', unit: 'mg' } }] },
  },
  {
    name: 'a DocumentReference with odd attachments',
    input: { resourceType: 'DocumentReference', content: [null, { attachment: 'x' }, { attachment: { size: 'big', url: 5, hash: [] } }], description: '   ' },
  },
  {
    name: 'a Condition with junk statuses and references',
    input: {
      resourceType: 'Condition',
      clinicalStatus: 'active',
      verificationStatus: { coding: [{ code: null }] },
      subject: { reference: { nested: true } },
      code: { coding: [{ display: 12 }, 'x', null], text: ['a'] },
    },
  },
  {
    name: 'an Encounter with a numeric class',
    input: { resourceType: 'Encounter', class: 1, type: 'Inpatient', period: { start: false } },
  },
  {
    name: 'references in every odd place',
    input: { resourceType: 'Procedure', performer: [{ actor: { reference: 'Practitioner/' } }, { actor: { reference: 'Practitioner/ bad id' } }, { reference: 12 }] },
  },
];

describe('extractBinderFields on untrusted input', () => {
  it.each(garbage)('does not throw on $name and titles it', ({ input }) => {
    const fields = extractBinderFields(input);
    expect(fields.title.length).toBeGreaterThan(0);
    expect(Array.isArray(fields.codes)).toBe(true);
    expect(Array.isArray(fields.documents)).toBe(true);
    expect(Array.isArray(fields.references)).toBe(true);
    expect(() => referencedPatientIds(input)).not.toThrow();
  });

  it('answers empties for a resource with nothing usable', () => {
    expect(extractBinderFields(null)).toEqual({
      resourceType: null,
      id: null,
      title: 'Record',
      date: null,
      endDate: null,
      status: null,
      codes: [],
      value: null,
      dose: null,
      documents: [],
      study: null,
      conclusion: null,
      patientRef: null,
      references: [],
    });
  });

  it('ignores wrong-typed values instead of reporting them', () => {
    const fields = extractBinderFields(garbage.find((item) => item.name.startsWith('an Observation'))?.input);
    expect(fields.value).toBeNull();
    expect(fields.date).toBeNull();
    expect(fields.patientRef).toBeNull();
    expect(fields.status).toBeNull();
  });

  it('reads numeric strings as numbers, as some portals send them', () => {
    const fields = extractBinderFields({ resourceType: 'MedicationAdministration', dosage: { dose: { value: '80', unit: 'mg' } } });
    expect(fields.dose).toEqual({ amount: 80, unit: 'mg', display: '80 mg' });
  });

  it('rejects impossible dates', () => {
    expect(extractBinderFields({ resourceType: 'MedicationRequest', authoredOn: '2023-13-45' }).date).toBeNull();
    expect(extractBinderFields({ resourceType: 'Observation', effectiveDateTime: '2023-02-30' }).date).toBeNull();
    expect(extractBinderFields({ resourceType: 'Observation', effectiveDateTime: '2023-02-28T25:00:00Z' }).date).toBeNull();
    expect(extractBinderFields({ resourceType: 'Observation', effectiveDateTime: '2024-02-29' }).date).toBe('2024-02-29');
  });

  it('survives a resource that refers to itself', () => {
    const looping: Record<string, unknown> = { resourceType: 'Observation', code: { text: 'Loop' } };
    looping.extension = [looping];
    expect(extractBinderFields(looping).title).toBe('Loop');
  });

  it('survives very deep nesting', () => {
    let deep: Record<string, unknown> = { reference: 'Practitioner/deep' };
    for (let level = 0; level < 10_000; level++) deep = { extension: deep };
    expect(() => extractBinderFields({ resourceType: 'Observation', extension: deep })).not.toThrow();
  });
});
