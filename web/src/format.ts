// Pure formatting for what the binder shows: dates as the portal wrote them, numbers without
// floating-point noise, units, doses, reference ranges. No DOM here: unit-tested in Node.

type Maybe<T> = T | null | undefined;

const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/**
 * A FHIR date or dateTime as a day, in words ("5 Mar 2024", "Mar 2024", "2024").
 * The calendar date is the one the portal wrote: a dateTime is not shifted into the reader's
 * time zone, so a test done late in the evening stays on the day the hospital recorded it.
 */
export function formatDate(value: Maybe<string>, locale?: string): string {
  if (!value) return '';
  const match = FHIR_DATE.exec(value);
  if (!match) return value;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), month ? Number(month) - 1 : 0, day ? Number(day) : 1));
  if (Number.isNaN(date.getTime())) return value;
  const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', year: 'numeric' };
  if (month) options.month = 'short';
  if (month && day) options.day = 'numeric';
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** "5 Mar 2024 – 9 Apr 2024"; one date when both are the same day; "until 9 Apr 2024" without a start. */
export function formatDateRange(start: Maybe<string>, end: Maybe<string>, locale?: string): string {
  const from = formatDate(start, locale);
  const to = formatDate(end, locale);
  if (from && to) return from === to ? from : `${from} – ${to}`;
  if (to) return `until ${to}`;
  return from;
}

/** An instant this service recorded (a sync's start, a token's expiry) in the reader's time zone. */
export function formatDateTime(value: Maybe<string>, locale?: string, timeZone?: string): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

// Each unit is used from its threshold up: "in 13 days" rather than "in 2 weeks" for an expiry.
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ['year', 365 * 86_400_000, 365 * 86_400_000],
  ['month', 30 * 86_400_000, 60 * 86_400_000],
  ['week', 7 * 86_400_000, 14 * 86_400_000],
  ['day', 86_400_000, 86_400_000],
  ['hour', 3_600_000, 3_600_000],
  ['minute', 60_000, 60_000],
];

/** "5 minutes ago", "in 3 days", "now" (under a minute either way). */
export function formatRelative(value: Maybe<string>, now: Date, locale?: string): string {
  if (!value) return '';
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return value;
  const diff = at - now.getTime();
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms, from] of UNITS) {
    if (Math.abs(diff) >= from) return rtf.format(Math.round(diff / ms), unit);
  }
  return rtf.format(0, 'second');
}

/** A number without floating-point noise (0.1 + 0.2 shows as 0.3) and without rounding away real digits. */
export function formatNumber(value: number, locale?: string): string {
  if (!Number.isFinite(value)) return String(value);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 10 }).format(Number(value.toPrecision(12)));
}

/** UCUM units as people write them: "10*9/L" → "10^9/L", "{cells}/uL" → "cells/uL". */
export function formatUnit(unit: Maybe<string>): string {
  if (!unit) return '';
  return unit.replace(/10\*(-?\d+)/g, '10^$1').replace(/[{}]/g, '');
}

/** "75 mg/m2", "12 %" written "12%", a number alone, or '' when there is no amount. */
export function formatQuantity(amount: Maybe<number | string>, unit: Maybe<string>, locale?: string): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const number = typeof amount === 'number' ? formatNumber(amount, locale) : amount;
  const u = formatUnit(unit);
  if (!u) return number;
  return u === '%' ? `${number}%` : `${number} ${u}`;
}

export interface ValueLike {
  value: number | string;
  unit?: Maybe<string>;
  comparator?: Maybe<string>;
}

/** A result's value with its unit and comparator: "< 0.5 mg/L", "Positive". */
export function formatValue(value: Maybe<ValueLike>, locale?: string): string {
  if (!value) return '';
  const quantity = formatQuantity(value.value, value.unit, locale);
  return value.comparator ? `${value.comparator} ${quantity}` : quantity;
}

export interface RangeLike {
  low?: Maybe<number>;
  high?: Maybe<number>;
  text?: Maybe<string>;
}

/** "4–10 10^9/L", "≥ 60 mL/min", "≤ 5 mg/L", or the lab's own words when it gave them. */
export function formatReferenceRange(range: Maybe<RangeLike>, unit?: Maybe<string>, locale?: string): string {
  if (!range) return '';
  const hasLow = typeof range.low === 'number';
  const hasHigh = typeof range.high === 'number';
  const u = formatUnit(unit);
  const withUnit = (text: string) => (u ? (u === '%' ? `${text}%` : `${text} ${u}`) : text);
  if (hasLow && hasHigh) return withUnit(`${formatNumber(range.low as number, locale)}–${formatNumber(range.high as number, locale)}`);
  if (hasLow) return withUnit(`≥ ${formatNumber(range.low as number, locale)}`);
  if (hasHigh) return withUnit(`≤ ${formatNumber(range.high as number, locale)}`);
  return range.text?.trim() ?? '';
}

const INTERPRETATIONS: Record<string, string> = {
  H: 'High',
  HH: 'Critically high',
  HU: 'Significantly high',
  L: 'Low',
  LL: 'Critically low',
  LU: 'Significantly low',
  A: 'Abnormal',
  AA: 'Critically abnormal',
  N: 'Normal',
  POS: 'Positive',
  NEG: 'Negative',
  DET: 'Detected',
  ND: 'Not detected',
  IND: 'Indeterminate',
};

/** An interpretation flag in words ("H" → "High"); words are passed through. */
export function formatInterpretation(code: Maybe<string>): string {
  if (!code) return '';
  return INTERPRETATIONS[code.trim().toUpperCase()] ?? code.trim();
}

/** Flags that deserve attention (not "Normal"/"Negative"). */
export function isAbnormalInterpretation(code: Maybe<string>): boolean {
  if (!code) return false;
  const key = code.trim().toUpperCase();
  if (key in INTERPRETATIONS) return !['N', 'NEG', 'ND'].includes(key);
  return !/^(normal|negative|not detected)$/i.test(code.trim());
}

export interface DoseLike {
  amount?: Maybe<number>;
  unit?: Maybe<string>;
  route?: Maybe<string>;
  frequency?: Maybe<string>;
  text?: Maybe<string>;
}

/** The parts of a dose worth a label each: amount, route, frequency; the dosage text when nothing else is known. */
export function doseParts(dose: Maybe<DoseLike>, locale?: string): Array<{ label: string; value: string }> {
  if (!dose) return [];
  const parts: Array<{ label: string; value: string }> = [];
  const amount = formatQuantity(dose.amount, dose.unit, locale);
  if (amount) parts.push({ label: 'Dose', value: amount });
  if (dose.route) parts.push({ label: 'Route', value: dose.route });
  if (dose.frequency) parts.push({ label: 'Frequency', value: dose.frequency });
  if (dose.text && parts.length === 0) parts.push({ label: 'Instructions', value: dose.text });
  return parts;
}

/** A dose on one line: "75 mg/m2 · intravenous · every 21 days". */
export function formatDose(dose: Maybe<DoseLike>, locale?: string): string {
  return doseParts(dose, locale)
    .map((part) => part.value)
    .join(' · ');
}

export interface DoseCountLike {
  amount?: Maybe<number>;
  unit?: Maybe<string>;
  count: number;
}

/** The doses a medicine was given at, most frequent first: ["75 mg/m2 (4 times)", "60 mg/m2 (once)"]. */
export function doseCountLines(doses: readonly DoseCountLike[], locale?: string): string[] {
  return [...doses]
    .sort((a, b) => b.count - a.count)
    .map((dose) => {
      const amount = formatQuantity(dose.amount, dose.unit, locale) || 'dose not recorded';
      return `${amount} (${timesWord(dose.count)})`;
    });
}

/** The same on one line: "75 mg/m2 (4 times), 60 mg/m2 (once)". */
export function formatDoseCounts(doses: readonly DoseCountLike[], locale?: string): string {
  return doseCountLines(doses, locale).join(', ');
}

function timesWord(count: number): string {
  if (count === 1) return 'once';
  if (count === 2) return 'twice';
  return `${count} times`;
}

/** A radiation dose: "50.4 Gy". */
export function formatGray(value: Maybe<number>, locale?: string): string {
  return typeof value === 'number' ? `${formatNumber(value, locale)} Gy` : '';
}

/** A code-like status in words with a capital: "entered-in-error" → "Entered in error". */
export function humanize(value: Maybe<string>): string {
  if (!value) return '';
  const words = value.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "1 record", "12 records". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
