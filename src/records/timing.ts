// Medicine schedules in words a patient reads: "2 times a day", "every 21 days", "once a week for 7 doses".

import { at, num, objects, text, type JsonObject } from './fhir-read.js';

const UNITS: Record<string, { one: string; many: string; article: string }> = {
  s: { one: 'second', many: 'seconds', article: 'a' },
  min: { one: 'minute', many: 'minutes', article: 'a' },
  h: { one: 'hour', many: 'hours', article: 'an' },
  d: { one: 'day', many: 'days', article: 'a' },
  wk: { one: 'week', many: 'weeks', article: 'a' },
  mo: { one: 'month', many: 'months', article: 'a' },
  a: { one: 'year', many: 'years', article: 'a' },
};

const WEEKDAYS: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

// Event-timing codes (HL7 v3 TimingEvent and FHIR event-timing) that are common on medicine orders.
const WHEN: Record<string, string> = {
  HS: 'at bedtime',
  WAKE: 'on waking',
  C: 'with meals',
  AC: 'before meals',
  PC: 'after meals',
  CM: 'with breakfast',
  CD: 'with lunch',
  CV: 'with dinner',
  MORN: 'in the morning',
  AFT: 'in the afternoon',
  EVE: 'in the evening',
  NIGHT: 'at night',
};

function positive(value: unknown): number | null {
  const n = num(value);
  return n !== null && n > 0 ? n : null;
}

/** Timing.repeat in words, or null when it says nothing about how often. */
export function describeRepeat(repeat: unknown): string | null {
  const parts: string[] = [];
  const period = positive(at(repeat, 'period'));
  const unit = UNITS[text(at(repeat, 'periodUnit')) ?? ''];
  if (period !== null && unit) {
    const frequency = positive(at(repeat, 'frequency')) ?? 1;
    const frequencyMax = positive(at(repeat, 'frequencyMax'));
    const periodMax = positive(at(repeat, 'periodMax'));
    const span =
      periodMax !== null && periodMax > period
        ? `every ${period}–${periodMax} ${unit.many}`
        : period === 1
          ? `${unit.article} ${unit.one}`
          : `every ${period} ${unit.many}`;
    if (frequencyMax !== null && frequencyMax > frequency) parts.push(`${frequency}–${frequencyMax} times ${span}`);
    else if (frequency === 1) parts.push(period === 1 && periodMax === null ? `once ${span}` : span);
    else parts.push(`${frequency} times ${span}`);
  }
  const days = Array.isArray(at(repeat, 'dayOfWeek'))
    ? (at(repeat, 'dayOfWeek') as unknown[]).map((day) => WEEKDAYS[text(day) ?? ''] ?? null).filter((day): day is string => day !== null)
    : [];
  if (days.length > 0) parts.push(`on ${days.join(', ')}`);
  const when = Array.isArray(at(repeat, 'when'))
    ? (at(repeat, 'when') as unknown[]).map((code) => WHEN[text(code)?.toUpperCase() ?? ''] ?? null).filter((words): words is string => words !== null)
    : [];
  if (when.length > 0) parts.push(when.join(' and '));
  if (parts.length === 0) return null;
  const durationValue = positive(at(repeat, 'boundsDuration', 'value'));
  const durationUnit = UNITS[text(at(repeat, 'boundsDuration', 'code')) ?? text(at(repeat, 'boundsDuration', 'unit')) ?? ''];
  if (durationValue !== null && durationUnit) parts.push(`for ${durationValue} ${durationValue === 1 ? durationUnit.one : durationUnit.many}`);
  const count = positive(at(repeat, 'count'));
  if (count !== null) parts.push(`for ${count} ${count === 1 ? 'dose' : 'doses'}`);
  return parts.join(' ');
}

/** A Timing in words from its repeat rule (its code is used only by callers that want a fallback). */
export function describeTiming(timing: unknown): string | null {
  return describeRepeat(at(timing, 'repeat'));
}

/** A Dosage's schedule in words from its structured timing; "as needed" is added when the order says so. */
export function describeDosageFrequency(dosage: JsonObject): string | null {
  const schedule = describeTiming(dosage.timing);
  if (!schedule) return null;
  return dosage.asNeededBoolean === true || objects(dosage.asNeededCodeableConcept).length > 0 ? `${schedule}, as needed` : schedule;
}

/** An interval seen between doses, in the same words as a written schedule: 7 → "once a week", 21 → "every 3 weeks". */
export function describeInterval(days: number): string | null {
  if (!Number.isInteger(days) || days <= 0) return null;
  if (days === 1) return 'once a day';
  if (days % 7 === 0) return days === 7 ? 'once a week' : `every ${days / 7} weeks`;
  return `every ${days} days`;
}
