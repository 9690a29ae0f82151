// The records-request letter's wording (pure) and the patient's details proposed from portal Patients.
import { describe, expect, it } from 'vitest';
import { askedFor, letterText, type LetterBlock } from '../../../src/requests/letter-pdf.js';
import { letterDetails, proposedDetails } from '../../../src/requests/patient-details.js';
import type { RecordsRequest } from '../../../src/requests/repository.js';
import { canMove, dueAt, isOverdue } from '../../../src/requests/repository.js';

const request: RecordsRequest = {
  id: 'r',
  accountId: 'a',
  status: 'draft',
  organization: { name: 'Acme Hospital', address: '1 Road, Town', email: 'records@acme.example' },
  categories: ['imaging-results', 'vaccines'],
  gaps: [{ id: 'discharge-summary:9', kind: 'discharge-summary', category: 'discharge-summaries', reason: 'x', event: { resourceType: 'Encounter', id: '9', title: 'Inpatient stay', date: '2024-03-05T08:00:00Z', endDate: '2024-03-07' } }],
  from: null,
  to: '2024-12-31',
  delivery: 'paper',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  sentAt: null,
  receivedAt: null,
  cancelledAt: null,
};

const words = (blocks: LetterBlock[]) => blocks.map((block) => ('text' in block ? block.text : block.items.join('\n'))).join('\n');

describe('the letter', () => {
  it('asks in the leaflet’s words, then for each event with its dates', () => {
    expect(askedFor(request)).toEqual({
      categories: ['Imaging test results (CT, MRI...)', 'Vaccines: A current list of vaccines'],
      events: ['Discharge summary: Inpatient stay, 2024-03-05 to 2024-03-07'],
    });
  });

  it('leaves a blank to fill in for what the patient has not given, and names no record number it does not have', () => {
    const text = words(letterText(request, { name: null, birthDate: null, address: null, phone: null, recordNumbers: [] }, '2026-01-02'));
    expect(text).toContain('Patient: ________________');
    expect(text).toContain('Date of birth: ________________');
    expect(text).not.toContain('Medical record number');
    expect(text).toContain('up to 2024-12-31');
    expect(text).toContain('Please mail a paper copy');
    expect(text).toContain('I would prefer an electronic copy');
    expect(text).toContain('Email: records@acme.example');
    expect(text).toContain('2026-01-02');
  });

  it('uses the saved details, else the proposed ones', () => {
    const details = letterDetails({
      name: 'Jane Roe',
      birthDate: null,
      address: null,
      phone: '555',
      proposed: { name: 'J Roe', birthDate: '1960-01-02', address: '2 Lane', phone: '777' },
      recordNumbers: [{ value: 'M1', source: 'Acme' }],
    });
    expect(details).toEqual({ name: 'Jane Roe', birthDate: '1960-01-02', address: '2 Lane', phone: '555', recordNumbers: [{ value: 'M1', source: 'Acme' }] });
  });
});

describe('proposedDetails', () => {
  it('merges the portals’ Patients and keeps only medical record numbers, each with its portal', () => {
    const { proposed, recordNumbers } = proposedDetails([
      {
        source: 'Acme',
        resource: {
          resourceType: 'Patient',
          name: [{ use: 'official', given: ['Jane'], family: 'Roe' }],
          birthDate: '1960-01-02',
          address: [{ use: 'old', line: ['9 Old St'] }, { use: 'home', line: ['2 Lane'], city: 'Town', state: 'ST', postalCode: '12345' }],
          telecom: [{ system: 'email', value: 'j@x' }, { system: 'phone', value: '555-1', use: 'home' }],
          identifier: [
            { type: { coding: [{ code: 'MR' }] }, value: 'M1' },
            { type: { coding: [{ code: 'SS' }] }, value: '999' },
            { type: { text: 'MRN' }, value: 'M2' },
          ],
        },
      },
      { source: 'Other', resource: { resourceType: 'Patient', identifier: [{ type: { coding: [{ code: 'MR' }] }, value: 'Z9' }] } },
    ]);
    expect(proposed).toEqual({ name: 'Jane Roe', birthDate: '1960-01-02', address: '2 Lane, Town, ST 12345', phone: '555-1' });
    expect(recordNumbers).toEqual([
      { value: 'M1', source: 'Acme' },
      { value: 'M2', source: 'Acme' },
      { value: 'Z9', source: 'Other' },
    ]);
  });
});

describe('a request’s state', () => {
  it('is due 30 days after it was sent and overdue after that, until received', () => {
    const sentAt = new Date('2026-01-01T00:00:00Z');
    expect(dueAt({ sentAt })?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(isOverdue({ status: 'sent', sentAt }, new Date('2026-01-30T00:00:00Z'))).toBe(false);
    expect(isOverdue({ status: 'sent', sentAt }, new Date('2026-02-01T00:00:00Z'))).toBe(true);
    expect(isOverdue({ status: 'received', sentAt }, new Date('2026-02-01T00:00:00Z'))).toBe(false);
  });

  it.each([
    ['draft', 'sent', true],
    ['sent', 'received', true],
    ['draft', 'received', true],
    ['sent', 'cancelled', true],
    ['received', 'cancelled', false],
    ['cancelled', 'sent', false],
  ] as const)('%s → %s: %s', (from, to, expected) => {
    expect(canMove(from, to)).toBe(expected);
  });
});
