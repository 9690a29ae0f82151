import { describe, expect, it } from 'vitest';
import { chooseEntries, sectionOf, type IpsCandidate } from '../../src/exports/ips.js';

let next = 1;
function candidate(overrides: Partial<IpsCandidate>): IpsCandidate {
  const id = String(next++);
  return {
    id,
    linkId: 'l1',
    resourceType: 'Observation',
    resourceId: `r${id}`,
    title: 'Glucose',
    date: null,
    endDate: null,
    effectiveMs: null,
    status: 'final',
    clinicalStatus: null,
    verificationStatus: null,
    observationCategory: 'laboratory',
    firstCode: 'http://loinc.org|2345-7',
    value: null,
    dose: null,
    group: id,
    groupLinkIds: ['l1'],
    ...overrides,
  };
}

describe('choosing the IPS entries', () => {
  it.each([
    [{ resourceType: 'Condition', clinicalStatus: 'active' }, 'problems'],
    [{ resourceType: 'Condition', clinicalStatus: null }, 'problems'],
    [{ resourceType: 'Condition', clinicalStatus: 'resolved' }, 'pastIllness'],
    [{ resourceType: 'Condition', clinicalStatus: 'active', verificationStatus: 'refuted' }, null],
    [{ resourceType: 'MedicationRequest', status: 'completed' }, 'medications'],
    [{ resourceType: 'MedicationRequest', status: 'entered-in-error' }, null],
    [{ resourceType: 'Immunization', status: 'not-done' }, null],
    [{ resourceType: 'Observation', observationCategory: 'vital-signs' }, 'vitals'],
    [{ resourceType: 'Observation', observationCategory: 'social-history' }, 'socialHistory'],
    [{ resourceType: 'DiagnosticReport' }, 'results'],
    [{ resourceType: 'CarePlan', status: 'completed' }, null],
    [{ resourceType: 'CarePlan', status: 'active' }, 'planOfCare'],
    [{ resourceType: 'Encounter' }, null],
  ] as const)('files %j under %s', (overrides, expected) => {
    expect(sectionOf(candidate(overrides))).toBe(expected);
  });

  it('keeps the latest result of each test and one record per duplicate group', () => {
    const old = candidate({ effectiveMs: 1 });
    const latest = candidate({ effectiveMs: 5 });
    const other = candidate({ firstCode: 'http://loinc.org|6690-2', title: 'WBC', effectiveMs: 2 });
    const vaccine = candidate({ resourceType: 'Immunization', status: 'completed', effectiveMs: 3 });
    const sameVaccine = candidate({ resourceType: 'Immunization', status: 'completed', effectiveMs: 3, group: vaccine.id, linkId: 'l2' });
    const chosen = chooseEntries([old, latest, other, vaccine, sameVaccine]);
    expect(chosen.get('results')!.map((c) => c.id)).toEqual([latest.id, other.id]);
    expect(chosen.get('immunizations')).toHaveLength(1);
    expect(chosen.get('allergies')).toEqual([]);
  });

  it('lists a medicine once, its latest order', () => {
    const first = candidate({ resourceType: 'MedicationRequest', title: 'Lisinopril 10 mg', status: 'completed', effectiveMs: 1 });
    const renewed = candidate({ resourceType: 'MedicationRequest', title: 'lisinopril 10 mg', status: 'active', effectiveMs: 9 });
    expect(chooseEntries([first, renewed]).get('medications')!.map((c) => c.id)).toEqual([renewed.id]);
  });
});
