// What the server sets on an entry, whatever the client sent, and the patient's own answer in the
// side-effect summary.
import { describe, expect, it } from 'vitest';
import { buildEntryResource, InvalidEntryError } from '../../../src/entries/resource.js';
import { CONTINUED_AFTER_TREATMENT_URL, isPatientEntered, statedContinuation } from '../../../src/records/patient-entered.js';

const now = new Date('2026-12-08T10:00:00Z');

describe('buildEntryResource', () => {
  it('should set the id, meta, subject and source, and keep the first recorded date on a change', () => {
    const first = buildEntryResource(
      { resourceType: 'Condition', id: 'mine', meta: { versionId: '3' }, code: { text: 'Asthma' }, subject: { reference: 'Patient/x' }, asserter: { reference: 'Practitioner/y' } },
      { id: 'e1', now },
    );
    expect(first).toMatchObject({ id: 'e1', subject: { reference: 'Patient/self' }, asserter: { reference: 'Patient/self' }, recordedDate: '2026-12-08' });
    expect(first.meta).toEqual({ lastUpdated: now.toISOString(), tag: [expect.objectContaining({ code: 'patient-entered' })], security: [expect.objectContaining({ code: 'PATAST' })] });
    expect(isPatientEntered(first)).toBe(true);
    const later = buildEntryResource({ resourceType: 'Condition', code: { text: 'Asthma' }, abatementDateTime: '2026-01' }, { id: 'e1', now: new Date('2027-02-01T00:00:00Z'), previous: first });
    expect(later).toMatchObject({ recordedDate: '2026-12-08', clinicalStatus: { coding: [expect.objectContaining({ code: 'resolved' })] } });
  });

  it('should refuse a reference to any patient and a "continued" answer that is not yes or no', () => {
    expect(() => buildEntryResource({ resourceType: 'AdverseEvent', event: { text: 'Rash' }, suspectEntity: [{ instance: { reference: 'Patient/2' } }] }, { id: 'e', now })).toThrow(InvalidEntryError);
    expect(() => buildEntryResource({ resourceType: 'AdverseEvent', event: { text: 'Rash' }, extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueString: 'yes' }] }, { id: 'e', now })).toThrow(InvalidEntryError);
  });

  it("should read the patient's answer only from their own entries", () => {
    const entered = buildEntryResource({ resourceType: 'AdverseEvent', event: { text: 'Rash' }, extension: [{ url: CONTINUED_AFTER_TREATMENT_URL, valueBoolean: true }] }, { id: 'e', now });
    expect(statedContinuation(entered)).toBe(true);
    expect(statedContinuation({ ...entered, meta: {} })).toBeNull();
  });
});
