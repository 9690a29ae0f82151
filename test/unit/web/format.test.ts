import { describe, expect, it } from 'vitest';
import {
  doseParts,
  formatDate,
  formatDateRange,
  formatDateTime,
  formatDose,
  formatDoseCounts,
  formatGray,
  formatInterpretation,
  formatNumber,
  formatQuantity,
  formatReferenceRange,
  formatRelative,
  formatUnit,
  formatValue,
  humanize,
  isAbnormalInterpretation,
  plural,
} from '../../../web/src/format.js';

const en = 'en-GB';

describe('dates', () => {
  it.each([
    ['2024-03-05', '5 Mar 2024'],
    ['2024-03', 'Mar 2024'],
    ['2024', '2024'],
    ['2024-03-05T23:30:00-05:00', '5 Mar 2024'],
    ['2024-03-05T00:30:00+14:00', '5 Mar 2024'],
    ['', ''],
    ['not a date', 'not a date'],
  ])('should show FHIR date %j as the day the portal wrote (%j)', (value, expected) => {
    expect(formatDate(value, en)).toBe(expected);
  });

  it('should show nothing for a missing date', () => {
    expect(formatDate(null, en)).toBe('');
    expect(formatDate(undefined, en)).toBe('');
  });

  it.each([
    ['2024-03-05', '2024-04-09', '5 Mar 2024 – 9 Apr 2024'],
    ['2024-03-05', '2024-03-05T10:00:00Z', '5 Mar 2024'],
    [null, '2024-04-09', 'until 9 Apr 2024'],
    ['2024-03-05', null, '5 Mar 2024'],
    [null, null, ''],
  ])('should show the range %j–%j as %j', (start, end, expected) => {
    expect(formatDateRange(start, end, en)).toBe(expected);
  });

  it('should show an instant in the given time zone', () => {
    expect(formatDateTime('2025-01-10T09:05:00Z', en, 'UTC')).toBe('10 Jan 2025, 09:05');
    expect(formatDateTime('2025-01-10T09:05:00Z', en, 'Europe/Berlin')).toBe('10 Jan 2025, 10:05');
    expect(formatDateTime('garbage', en)).toBe('garbage');
  });

  it.each([
    ['2025-01-10T11:55:00Z', '5 minutes ago'],
    ['2025-01-10T12:00:20Z', 'now'],
    ['2025-01-13T12:00:00Z', 'in 3 days'],
    ['2025-01-09T12:00:00Z', 'yesterday'],
    ['2025-01-23T11:00:00Z', 'in 13 days'],
    ['2025-02-07T12:00:00Z', 'in 4 weeks'],
    ['2025-05-10T12:00:00Z', 'in 4 months'],
    ['2023-01-10T12:00:00Z', '2 years ago'],
  ])('should say %j relative to noon as %j', (value, expected) => {
    expect(formatRelative(value, new Date('2025-01-10T12:00:00Z'), 'en')).toBe(expected);
  });
});

describe('numbers and units', () => {
  it('should drop floating-point noise but keep real digits', () => {
    expect(formatNumber(0.1 + 0.2, en)).toBe('0.3');
    expect(formatNumber(1.8, en)).toBe('1.8');
    expect(formatNumber(0.000123, en)).toBe('0.000123');
    expect(formatNumber(12000, en)).toBe('12,000');
  });

  it('should write UCUM units the way people read them', () => {
    expect(formatUnit('10*9/L')).toBe('10^9/L');
    expect(formatUnit('{cells}/uL')).toBe('cells/uL');
    expect(formatUnit('mg/m2')).toBe('mg/m2');
    expect(formatUnit(null)).toBe('');
  });

  it('should join amount and unit, with % attached', () => {
    expect(formatQuantity(75, 'mg/m2', en)).toBe('75 mg/m2');
    expect(formatQuantity(12, '%', en)).toBe('12%');
    expect(formatQuantity(5, null, en)).toBe('5');
    expect(formatQuantity(null, 'mg', en)).toBe('');
    expect(formatQuantity('Positive', null, en)).toBe('Positive');
  });

  it('should show a value with its comparator', () => {
    expect(formatValue({ value: 0.5, unit: 'mg/L', comparator: '<' }, en)).toBe('< 0.5 mg/L');
    expect(formatValue({ value: 'Detected' }, en)).toBe('Detected');
    expect(formatValue(null, en)).toBe('');
  });
});

describe('reference ranges', () => {
  it.each([
    [{ low: 4, high: 10 }, '10*9/L', '4–10 10^9/L'],
    [{ low: 60 }, 'mL/min', '≥ 60 mL/min'],
    [{ high: 5 }, 'mg/L', '≤ 5 mg/L'],
    [{ low: 36, high: 46 }, '%', '36–46%'],
    [{ text: ' negative ' }, 'mg/L', 'negative'],
    [{ low: 1, high: 2, text: 'lab words' }, null, '1–2'],
    [{}, 'mg', ''],
    [null, 'mg', ''],
  ])('should show %j (%s) as %j', (range, unit, expected) => {
    expect(formatReferenceRange(range, unit, en)).toBe(expected);
  });
});

describe('interpretation flags', () => {
  it('should spell out HL7 flags and pass words through', () => {
    expect(formatInterpretation('H')).toBe('High');
    expect(formatInterpretation('ll')).toBe('Critically low');
    expect(formatInterpretation('Above reference')).toBe('Above reference');
    expect(formatInterpretation(null)).toBe('');
  });

  it('should call normal and negative results unremarkable', () => {
    expect(isAbnormalInterpretation('N')).toBe(false);
    expect(isAbnormalInterpretation('NEG')).toBe(false);
    expect(isAbnormalInterpretation('Normal')).toBe(false);
    expect(isAbnormalInterpretation('H')).toBe(true);
    expect(isAbnormalInterpretation('Above reference')).toBe(true);
    expect(isAbnormalInterpretation(undefined)).toBe(false);
  });
});

describe('doses', () => {
  it('should show amount, route and frequency', () => {
    expect(formatDose({ amount: 175, unit: 'mg/m2', route: 'intravenous', frequency: 'every 21 days' }, en)).toBe('175 mg/m2 · intravenous · every 21 days');
    expect(doseParts({ amount: 500, unit: 'mg', frequency: '2 times a day' }, en)).toEqual([
      { label: 'Dose', value: '500 mg' },
      { label: 'Frequency', value: '2 times a day' },
    ]);
  });

  it('should fall back to the dosage text only when nothing else is known', () => {
    expect(formatDose({ text: 'Take one tablet at night' }, en)).toBe('Take one tablet at night');
    expect(formatDose({ amount: 1, unit: 'tablet', text: 'Take one tablet at night' }, en)).toBe('1 tablet');
    expect(formatDose(null, en)).toBe('');
  });

  it('should list the doses a medicine was given at, most frequent first', () => {
    expect(
      formatDoseCounts(
        [
          { amount: 60, unit: 'mg/m2', count: 1 },
          { amount: 75, unit: 'mg/m2', count: 4 },
          { count: 2 },
        ],
        en,
      ),
    ).toBe('75 mg/m2 (4 times), dose not recorded (twice), 60 mg/m2 (once)');
    expect(formatDoseCounts([], en)).toBe('');
  });

  it('should show radiation doses in gray', () => {
    expect(formatGray(50.4, en)).toBe('50.4 Gy');
    expect(formatGray(null, en)).toBe('');
  });
});

describe('words', () => {
  it('should turn codes into words', () => {
    expect(humanize('entered-in-error')).toBe('Entered in error');
    expect(humanize('on_hold')).toBe('On hold');
    expect(humanize(null)).toBe('');
  });

  it('should count in words', () => {
    expect(plural(1, 'record')).toBe('1 record');
    expect(plural(3, 'record')).toBe('3 records');
    expect(plural(2, 'category', 'categories')).toBe('2 categories');
  });
});
