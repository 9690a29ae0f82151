// Whether an upload is about the account's patient. The patient is the judge of their own
// papers: a difference is a warning shown with the upload, never a refusal. Pure.
import type { PatientDetails } from './convert.js';

/** A name's words without case, accents or punctuation, given names first ("Doe, Jane" reads "Jane Doe"). */
function nameParts(name: string): string[] {
  const [family, given] = name.includes(',') ? name.split(',', 2) : [null, name];
  return `${given ?? ''} ${family ?? ''}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter((part) => part.length > 1);
}

/** The same first name and at least one more name in common (middle names, initials and double family names aside). */
function sameName(a: string, b: string): boolean {
  const left = nameParts(a);
  const right = nameParts(b);
  if (left.length === 0 || right.length === 0) return true;
  if (left[0] !== right[0]) return false;
  if (left.length === 1 || right.length === 1) return true;
  return left.slice(1).some((part) => right.slice(1).includes(part));
}

/** Warnings for an upload whose patient differs from the account's (any of the known details). */
export function patientMismatch(upload: PatientDetails | null, known: readonly PatientDetails[]): string[] {
  if (!upload || known.length === 0) return [];
  const warnings: string[] = [];
  const names = known.map((k) => k.name).filter((n): n is string => !!n);
  if (upload.name && names.length > 0 && !names.some((name) => sameName(upload.name!, name))) {
    warnings.push(`This file is about "${upload.name}", not ${names.map((n) => `"${n}"`).join(' or ')} as your account says. It is kept: check that it is yours.`);
  }
  const births = known.map((k) => k.birthDate?.slice(0, 10)).filter((d): d is string => !!d);
  const uploadBirth = upload.birthDate?.slice(0, 10);
  if (uploadBirth && births.length > 0 && !births.some((birth) => birth.startsWith(uploadBirth) || uploadBirth.startsWith(birth))) {
    warnings.push(`This file gives the birth date ${uploadBirth}, not ${births.join(' or ')} as your account says. It is kept: check that it is yours.`);
  }
  return warnings;
}
