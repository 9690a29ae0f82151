import { describe, expect, it } from 'vitest';

import { extractBinderFields } from '../../../src/records/binder-fields.js';
import { fhirDate, instantOrNull, objects, text, utcMinute } from '../../../src/records/fhir-read.js';

// The readers have fast paths for the common shapes (they run on every resource of a sync); these
// tests pin them to the plain definitions, including the shapes the fast paths hand over.
const plainText = (value: string): string | null => value.replace(/\s+/g, ' ').trim() || null;
const dateInstant = (iso: string): string => new Date(iso).toISOString();

describe('text', () => {
  it.each([
    ['Hemoglobin A1c', 'Hemoglobin A1c'],
    ['  padded  ', 'padded'],
    ['two  spaces', 'two spaces'],
    ['tab\there', 'tab here'],
    ['line\nbreak', 'line break'],
    ['no\u00a0break space', 'no break space'],
    ['em\u2003space', 'em space'],
    ['\ufeffbom', 'bom'],
    ['ünïcödé words', 'ünïcödé words'],
    [' ', null],
    ['', null],
  ])('reads %j as %j, whitespace collapsed', (input, expected) => {
    expect(text(input)).toBe(expected);
    expect(text(input)).toBe(plainText(input));
  });

  it('answers null for what is not a string', () => {
    expect(text(5)).toBeNull();
    expect(text({ value: 'x' })).toBeNull();
  });
});

describe('objects', () => {
  it('answers a list of objects as it is', () => {
    const list = [{ a: 1 }, { b: 2 }];
    expect(objects(list)).toBe(list);
  });

  it('reads a lone object where a list belongs as a list of one', () => {
    expect(objects({ a: 1 })).toEqual([{ a: 1 }]);
  });

  it('skips what is not an object and flattens one level of accidental nesting', () => {
    expect(objects([{ a: 1 }, 'x', null, 3, [{ b: 2 }, 'y', [{ c: 3 }]]])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it.each([undefined, null, 'text', 42, true])('answers an empty list for %s', (value) => {
    expect(objects(value)).toEqual([]);
  });
});

describe('fhirDate', () => {
  it.each(['2024', '2024-02', '2024-02-29', '2000-02-29', '2024-02-29T10:00:00Z', '2024-01-01T10:00:00.123+02:00', '2024-01-01T10:00'])('keeps the valid FHIR date %s as written', (value) => {
    expect(fhirDate(value)).toBe(value);
  });

  it.each(['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-01T24:00:00Z', 'yesterday'])('rejects %s, which no calendar has', (value) => {
    expect(fhirDate(value)).toBeNull();
  });
});

describe('instantOrNull', () => {
  it.each([
    ['2024-02-29T10:00:00Z', '2024-02-29T10:00:00.000Z'],
    ['2024-02-29T10:00:00.5Z', '2024-02-29T10:00:00.500Z'],
    ['2024-02-29T10:00:00.123Z', '2024-02-29T10:00:00.123Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2024-03', '2024-03-01T00:00:00.000Z'],
    ['2024', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T10:00:00+02:00', '2024-01-01T08:00:00.000Z'],
    ['2024-01-01T10:00:00', '2024-01-01T10:00:00.000Z'],
  ])('reads %s as the first instant it can mean, %s', (value, expected) => {
    expect(instantOrNull(value)).toBe(expected);
  });

  it('agrees with Date for UTC instants across the calendar', () => {
    for (let day = Date.UTC(2023, 0, 1); day < Date.UTC(2025, 0, 1); day += 86_400_000 + 3_601_001) {
      const iso = new Date(day).toISOString();
      expect(instantOrNull(iso)).toBe(dateInstant(iso));
      const withoutMilliseconds = iso.replace(/\.\d+/, '');
      expect(instantOrNull(withoutMilliseconds)).toBe(dateInstant(withoutMilliseconds));
    }
  });

  it('answers null for what is not a date', () => {
    expect(instantOrNull('next week')).toBeNull();
    expect(instantOrNull(20240101)).toBeNull();
  });
});

describe('utcMinute', () => {
  it.each([
    ['2024-02-29T10:07:59Z', '2024-02-29T10:07'],
    ['2024-02-29T10:07Z', '2024-02-29T10:07'],
    ['2024-02-29T23:30:00-05:00', '2024-03-01T04:30'],
    ['2024-02-29', null],
    ['2024-02-29T10:07:00', null],
  ])('gives %s the UTC minute %s', (value, expected) => {
    expect(utcMinute(value)).toBe(expected);
  });
});

describe('references found anywhere in a resource', () => {
  it('finds nested and attachment references, keeping the absolute form of one resource', () => {
    const fields = extractBinderFields({
      resourceType: 'DiagnosticReport',
      id: 'r1',
      performer: [{ reference: 'Organization/o1' }, { reference: 'https://portal.example/fhir/Organization/o1' }],
      result: [{ reference: 'Observation/x' }],
      presentedForm: [{ url: 'Binary/b1', contentType: 'application/pdf' }],
    });
    expect(fields.references).toEqual([
      { resourceType: 'Organization', id: 'o1', url: 'https://portal.example/fhir/Organization/o1' },
      { resourceType: 'Binary', id: 'b1' },
    ]);
  });

  it('stays bounded on objects that share their parts (not a JSON tree)', () => {
    let node: Record<string, unknown> = { reference: 'Practitioner/p1' };
    for (let i = 0; i < 22; i++) node = { left: node, right: node };
    const fields = extractBinderFields({ resourceType: 'Observation', id: 'o', note: node });
    expect(fields.references).toEqual([{ resourceType: 'Practitioner', id: 'p1' }]);
  });
});
