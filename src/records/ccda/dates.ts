// HL7 V3 timestamps (TS: YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]) as FHIR dates. Pure.

/** A FHIR date or dateTime for an HL7 TS, at the precision it was written; null when it is not one. */
export function fhirDateOfTs(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(\.\d+)?)?([+-]\d{4})?$/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (!month) return year;
  if (!day) return `${year}-${month}`;
  const date = `${year}-${month}-${day}`;
  if (!hour) return date;
  // FHIR needs minutes, and a zone once there is a time; a TS without one is read as UTC.
  const offset = zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : 'Z';
  return `${date}T${hour}:${minute ?? '00'}:${second ?? '00'}${fraction ?? ''}${offset}`;
}

/** Only a full instant (FHIR `instant`, e.g. DocumentReference.date); null for a partial date. */
export function fhirInstantOfTs(value: string | null | undefined): string | null {
  const date = fhirDateOfTs(value);
  return date && date.includes('T') ? date : null;
}

export interface BlueButtonPoint {
  date?: unknown;
  precision?: unknown;
}

/** blue-button's {date (ISO, UTC), precision} as a FHIR date at that precision. */
export function fhirDateOfPoint(point: BlueButtonPoint | null | undefined): string | null {
  if (!point || typeof point.date !== 'string' || Number.isNaN(Date.parse(point.date))) return null;
  const iso = point.date;
  switch (point.precision) {
    case 'year':
      return iso.slice(0, 4);
    case 'month':
      return iso.slice(0, 7);
    case 'day':
      return iso.slice(0, 10);
    default:
      return new Date(iso).toISOString().replace('.000Z', 'Z');
  }
}
