// What one radiation record says about the course: where, how, how much, in how many fractions.

import { asObject, at, codings, conceptText, num, objects, text, type JsonObject } from './fhir-read.js';

export interface RadiationFacts {
  site: string | null;
  /**
   * The technique that delivered the dose below: the one named beside that dose in the words ("4256 cGy/16 fx
   * (6 MV tangents)" is photon even when a boost of the same note is electron), else the most specific one named.
   */
  modality: string | null;
  totalDoseGy: number | null;
  fractions: number | null;
  /** How the dose was learnt: coded data beats a number found in words. */
  doseFrom: 'structured' | 'text' | null;
}

const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const DOSE_TO_VOLUME = `${MCODE}mcode-radiotherapy-dose-delivered-to-volume`;
const SESSIONS = `${MCODE}mcode-radiotherapy-sessions`;

// Most specific first: an IMRT course is also external beam, and the binder shows the specific word.
const MODALITIES: ReadonlyArray<readonly [string, RegExp]> = [
  ['proton', /\bproton/i],
  ['SRS', /\b(srs|stereotactic radiosurgery|radiosurgery|gamma ?knife)\b/i],
  ['SBRT', /\b(sbrt|sabr|stereotactic body|stereotactic ablative|cyberknife)\b/i],
  ['brachytherapy', /\b(brachytherapy|brachy|hdr|ldr|seed implant|intracavitary)\b/i],
  ['radiopharmaceutical', /\b(radioiodine|radioactive iodine|i-131|radium-223|lutetium|lu-177|radiopharmaceutical|radionuclide therapy)\b/i],
  ['IMRT', /\b(imrt|intensity[- ]modulated)\b/i],
  ['VMAT', /\b(vmat|volumetric modulated)\b/i],
  ['3D-CRT', /\b(3d-?crt|three[- ]dimensional conformal|3d conformal)\b/i],
  ['electron', /\b(electron beam|electrons?|\d+(?:\.\d+)?\s?MeV)\b/i],
  // Megavoltage X-rays: "6 MV", "photons" (MeV, with an e, is an electron energy).
  ['photon', /\b(photons?|\d+(?:\.\d+)?\s?MV|megavoltage)\b/i],
  ['EBRT', /\b(ebrt|external beam|teleradiotherapy|linear accelerator|linac)\b/i],
];

export function modalitySpecificity(modality: string | null): number {
  const index = MODALITIES.findIndex(([name]) => name === modality);
  return index === -1 ? MODALITIES.length : index;
}

/** Every piece of text the record carries that could name the technique or the dose. */
function textsOf(r: JsonObject): string[] {
  const concepts = [r.code, r.type, ...objects(r.category), ...objects(r.usedCode)];
  const texts = [
    ...concepts.flatMap((concept) => [text(at(concept, 'text')), ...codings(concept).map((coding) => coding.display ?? null)]),
    ...objects(r.note).map((note) => text(note.text)),
    text(r.description),
    text(r.conclusion),
    ...objects(r.content).map((content) => text(at(content, 'attachment', 'title'))),
    ...extensionDisplays(r.extension, 0),
    narrative(r),
  ];
  return texts.filter((value): value is string => value !== null);
}

function extensionDisplays(extensions: unknown, depth: number): string[] {
  if (depth > 4) return [];
  return objects(extensions).flatMap((extension) => [
    ...(asObject(extension.valueCodeableConcept) ? [conceptText(extension.valueCodeableConcept)].filter((value): value is string => value !== null) : []),
    ...codings(extension.valueCodeableConcept).flatMap((coding) => (coding.display ? [coding.display] : [])),
    ...extensionDisplays(extension.extension, depth + 1),
  ]);
}

function narrative(r: JsonObject): string | null {
  const div = text(at(r, 'text', 'div'));
  return div ? text(div.replace(/<[^>]*>/g, ' ')) : null;
}

function siteOf(r: JsonObject): string | null {
  const site = conceptText(objects(r.bodySite)[0]);
  // "Structure of base of tongue" → "base of tongue"; "Left breast structure" → "Left breast".
  return site ? text(site.replace(/^structure of\s+/i, '').replace(/\s+structure$/i, '')) : null;
}

function modalityOf(texts: readonly string[]): string | null {
  for (const [name, pattern] of MODALITIES) if (texts.some((value) => pattern.test(value))) return name;
  return null;
}

function toGy(value: number | null, unit: string | null): number | null {
  if (value === null || value <= 0) return null;
  const gy = unit && /^gy$/i.test(unit) ? value : unit && /^cgy$/i.test(unit) ? value / 100 : null;
  // No curative course exceeds a few hundred Gy: anything larger is a typo or a wrong unit.
  return gy !== null && gy <= 300 ? Math.round(gy * 100) / 100 : null;
}

interface DoseReading {
  totalDoseGy: number;
  fractions: number | null;
  /** The technique named in the same clause as the dose, when the dose was read from words. */
  modality?: string | null;
}

/** Clauses of a text: a plan of several parts ("whole breast … + boost …") names each part's technique beside it. */
function clausesOf(value: string): string[] {
  return value.split(/\s\+\s|;|\.\s|\n|,\s*(?:then|followed by)\s/i).filter((clause) => clause.trim() !== '');
}

/** mCODE RadiotherapyCourseSummary: the dose delivered to each volume (in cGy) and the sessions. */
function mcodeDoses(r: JsonObject): DoseReading[] {
  const readings: DoseReading[] = [];
  for (const extension of objects(r.extension)) {
    if (extension.url !== DOSE_TO_VOLUME) continue;
    const parts = objects(extension.extension);
    const total = parts.find((part) => part.url === 'totalDoseDelivered')?.valueQuantity;
    const unit = text(at(total, 'code')) ?? text(at(total, 'unit')) ?? 'cGy'; // the profile fixes the unit to cGy
    const gy = toGy(num(at(total, 'value')), unit);
    const fractionsPart = parts.find((part) => part.url === 'fractionsDelivered');
    const fractions = num(fractionsPart?.valueUnsignedInt) ?? num(fractionsPart?.valuePositiveInt) ?? num(fractionsPart?.valueInteger);
    if (gy !== null) readings.push({ totalDoseGy: gy, fractions });
  }
  return readings;
}

function sessionsOf(r: JsonObject): number | null {
  const extension = objects(r.extension).find((candidate) => candidate.url === SESSIONS);
  return num(extension?.valueUnsignedInt) ?? num(extension?.valuePositiveInt) ?? num(extension?.valueInteger);
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
// "50 Gy in 25 fractions", "40.05 GY/15 FX", "5000 cGy over 25 treatments".
const DOSE_IN_FRACTIONS = new RegExp(String.raw`${NUMBER}\s*(c?gy)\b\s*(?:in|\/|over|,)?\s*(\d+)\s*(?:fx|fxs|fractions?|treatments?|sessions?)\b`, 'gi');
// "2 Gy x 25": a dose per fraction times the number of fractions.
const DOSE_TIMES_FRACTIONS = new RegExp(String.raw`${NUMBER}\s*(c?gy)\b\s*(?:x|×|\*)\s*(\d+)\b`, 'gi');
// "5000 cGy", but not "1.8 Gy per fraction".
const DOSE_ALONE = new RegExp(String.raw`${NUMBER}\s*(c?gy)\b(?!\s*(?:per|\/|a|each)\s*(?:fx|fraction|day|session))`, 'gi');
const FRACTIONS_ALONE = /\b(\d+)\s*(?:fx|fxs|fractions)\b/i;

function textDoses(texts: readonly string[]): DoseReading[] {
  const readings: DoseReading[] = [];
  for (const value of texts) {
    for (const clause of clausesOf(value)) {
      const modality = modalityOf([clause]);
      for (const match of clause.matchAll(DOSE_IN_FRACTIONS)) {
        const gy = toGy(num(match[1]), match[2] ?? null);
        if (gy !== null) readings.push({ totalDoseGy: gy, fractions: num(match[3]), modality });
      }
      for (const match of clause.matchAll(DOSE_TIMES_FRACTIONS)) {
        const perFraction = toGy(num(match[1]), match[2] ?? null);
        const count = num(match[3]);
        const total = perFraction !== null && count !== null ? toGy(perFraction * count, 'Gy') : null;
        if (total !== null) readings.push({ totalDoseGy: total, fractions: count, modality });
      }
    }
  }
  if (readings.length > 0) return readings;
  const fractions = texts.map((value) => num(FRACTIONS_ALONE.exec(value)?.[1])).find((count) => count !== null) ?? null;
  for (const value of texts) {
    for (const clause of clausesOf(value)) {
      const modality = modalityOf([clause]);
      for (const match of clause.matchAll(DOSE_ALONE)) {
        const gy = toGy(num(match[1]), match[2] ?? null);
        if (gy !== null) readings.push({ totalDoseGy: gy, fractions, modality });
      }
    }
  }
  return readings;
}

/** The largest dose is the prescription to the primary target; smaller ones are to elective volumes. */
function largest(readings: readonly DoseReading[]): DoseReading | null {
  return readings.reduce<DoseReading | null>((best, reading) => (best === null || reading.totalDoseGy > best.totalDoseGy ? reading : best), null);
}

export function radiationFacts(resource: unknown): RadiationFacts {
  const r = asObject(resource) ?? {};
  const texts = textsOf(r);
  const observed = r.resourceType === 'Observation' ? toGy(num(at(r, 'valueQuantity', 'value')), text(at(r, 'valueQuantity', 'code')) ?? text(at(r, 'valueQuantity', 'unit'))) : null;
  const structured = largest([...mcodeDoses(r), ...(observed !== null ? [{ totalDoseGy: observed, fractions: null }] : [])]);
  const fromText = structured ? null : largest(textDoses(texts));
  const dose = structured ?? fromText;
  const fractionsInWords = texts.map((value) => num(FRACTIONS_ALONE.exec(value)?.[1])).find((count) => count !== null) ?? null;
  return {
    site: siteOf(r),
    modality: fromText?.modality ?? modalityOf(texts),
    totalDoseGy: dose?.totalDoseGy ?? null,
    fractions: dose?.fractions ?? sessionsOf(r) ?? fractionsInWords,
    doseFrom: structured ? 'structured' : fromText ? 'text' : null,
  };
}
