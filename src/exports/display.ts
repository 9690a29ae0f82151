// Words for a record's value or dose, as the binder's printed forms show them (PDF, IPS narrative). Pure.
import type { MedicineDose, ResultValue } from '../records/binder-fields.js';

export function valueWords(value: ResultValue | null | undefined): string | null {
  if (!value || typeof value !== 'object') return null;
  const main = `${value.comparator ?? ''}${String(value.value)}${value.unit ? ` ${value.unit}` : ''}`;
  const range = value.referenceRange;
  const rangeText =
    range && typeof range === 'object'
      ? (range.text ?? (range.low !== undefined || range.high !== undefined ? `${range.low ?? ''}–${range.high ?? ''}` : null))
      : null;
  const parts = [main];
  if (value.interpretation) parts.push(value.interpretation);
  if (rangeText) parts.push(`range ${rangeText}`);
  return parts.join(', ');
}

export function doseWords(dose: MedicineDose | null | undefined): string | null {
  if (!dose || typeof dose !== 'object') return null;
  const amount = dose.amount !== undefined ? `${dose.amount}${dose.unit ? ` ${dose.unit}` : ''}` : null;
  const parts = [amount, dose.route, dose.frequency].filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (parts.length === 0) return dose.text ?? null;
  return parts.join(', ');
}
