// Which drug a medicine record is about, so "PACLitaxel (TAXOL) 175 mg/m2 in NS" and "paclitaxel" count as one.

import { codings, conceptText, text } from './fhir-read.js';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

// Brand names a record may use alone; the generic is what the binder groups by. Not exhaustive:
// a brand in brackets after the generic ("paclitaxel (TAXOL)") needs no entry here.
const BRAND_TO_GENERIC: Record<string, string> = {
  taxol: 'paclitaxel',
  taxotere: 'docetaxel',
  adriamycin: 'doxorubicin',
  cytoxan: 'cyclophosphamide',
  herceptin: 'trastuzumab',
  perjeta: 'pertuzumab',
  keytruda: 'pembrolizumab',
  opdivo: 'nivolumab',
  yervoy: 'ipilimumab',
  tecentriq: 'atezolizumab',
  imfinzi: 'durvalumab',
  avastin: 'bevacizumab',
  erbitux: 'cetuximab',
  femara: 'letrozole',
  arimidex: 'anastrozole',
  aromasin: 'exemestane',
  nolvadex: 'tamoxifen',
  xeloda: 'capecitabine',
  gemzar: 'gemcitabine',
  eloxatin: 'oxaliplatin',
  paraplatin: 'carboplatin',
  platinol: 'cisplatin',
  camptosar: 'irinotecan',
  alimta: 'pemetrexed',
  lupron: 'leuprolide',
  zoladex: 'goserelin',
  ibrance: 'palbociclib',
  kisqali: 'ribociclib',
  verzenio: 'abemaciclib',
  tagrisso: 'osimertinib',
  '5-fu': 'fluorouracil',
  '5fu': 'fluorouracil',
  '5-fluorouracil': 'fluorouracil',
};

// Strength ("152 MG", "0.9 %", "80 mg/m2"): everything from here on is about the product, not the drug.
const STRENGTH = /(^|\s)\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|gm|ml|l|%|units?|iu|unt|meq|mmol|mg\/m2|mg\/kg|auc)\b/i;
// Salts, forms, routes and order words that do not change which drug it is.
const NOISE_WORDS = new Set(
  (
    'hydrochloride hcl sulfate sulphate calcium citrate acetate mesylate dimesylate tartrate phosphate maleate besylate bromide fumarate succinate tosylate disodium ' +
    'tablet tablets tab tabs capsule capsules cap caps injection injectable solution suspension infusion oral intravenous iv ivpb push piggyback chemo chemotherapy ' +
    'powder lyophilized concentrate for vial vials syringe prefilled kit er xr sr ec po subcutaneous subq sc im premix dose pack film coated delayed extended release ' +
    'intravenously bolus continuous drip pump auc'
  ).split(' '),
);

/** The drug name without strength, brand brackets, diluent, form and salt words; lower-case. Null when nothing is left. */
export function normaliseIngredientName(name: unknown): string | null {
  const raw = text(name);
  if (!raw) return null;
  let cleaned = raw.toLowerCase().replace(/\([^)]*\)|\[[^\]]*\]/g, ' ');
  const strength = STRENGTH.exec(cleaned);
  if (strength) cleaned = cleaned.slice(0, strength.index);
  // The diluent and anything after a separator: "paclitaxel in NS", "cisplatin, IV".
  cleaned = cleaned.split(/\s+in\s+|\s+with\s+|[,;:]|\s+-\s+/)[0] ?? '';
  const words = cleaned
    .split(/[\s/]+/)
    .map((word) => word.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, ''))
    .filter((word) => word !== '' && !/^\d+(\.\d+)?$/.test(word) && !NOISE_WORDS.has(word));
  const joined = words.join(' ');
  if (joined === '') return null;
  return BRAND_TO_GENERIC[joined] ?? joined;
}

// A strength as products write it: "10 mg", "0.5 MG/ML", "2,000 units", "81 mg/5 mL".
const STRENGTH_WORDS = /(\d+(?:[.,]\d+)*)\s*(mg|mcg|µg|ug|g|gm|ml|%|units?|iu|unt|meq|mmol)\b(?:\s*\/\s*(\d+(?:\.\d+)?)?\s*(ml|l|hr|h|actuat(?:ion)?|dose)\b)?/i;
const SAME_UNIT: Record<string, string> = { µg: 'mcg', ug: 'mcg', gm: 'g', units: 'unit', iu: 'unit', unt: 'unit' };

/** The strength a medicine's name states, normalised ("10mg", "0.5mg/ml", "2000unit"), or null. */
export function medicineStrength(name: unknown): string | null {
  const raw = text(name);
  if (!raw) return null;
  const match = STRENGTH_WORDS.exec(raw.replace(/\([^)]*\)/g, ' '));
  if (!match?.[1] || !match[2]) return null;
  const amount = Number(match[1].replace(/,(?=\d{3}\b)/g, '').replace(',', '.'));
  if (!Number.isFinite(amount)) return null;
  const unit = match[2].toLowerCase();
  const per = match[4] ? `/${match[3] ?? ''}${match[4].toLowerCase()}` : '';
  return `${amount}${SAME_UNIT[unit] ?? unit}${per}`;
}

/** The strength a medication concept states: in its RxNorm display, its text or any display. */
export function conceptStrength(concept: unknown): string | null {
  const rxnorm = codings(concept).filter((coding) => coding.system === RXNORM);
  for (const name of [...rxnorm.map((coding) => coding.display), conceptText(concept), ...codings(concept).map((coding) => coding.display)]) {
    const strength = medicineStrength(name);
    if (strength) return strength;
  }
  return null;
}

export interface MedicineIdentity {
  /** Keys that name the drug: "rx:<RxNorm code>" and "name:<normalised name>". Records sharing one are the same drug. */
  keys: string[];
  /** The best ingredient name this record offers (RxNorm display first), or null. */
  name: string | null;
  rxnormCodes: string[];
}

/** The drug a medication CodeableConcept names. */
export function medicineIdentity(concept: unknown): MedicineIdentity {
  const rxnorm = codings(concept).filter((coding) => coding.system === RXNORM);
  const rxnormCodes = rxnorm.map((coding) => coding.code);
  const names = [
    ...rxnorm.map((coding) => normaliseIngredientName(coding.display)),
    normaliseIngredientName(conceptText(concept)),
    ...codings(concept).map((coding) => normaliseIngredientName(coding.display)),
  ].filter((name): name is string => name !== null);
  return {
    keys: [...new Set([...rxnormCodes.map((code) => `rx:${code}`), ...names.map((name) => `name:${name}`)])],
    name: names[0] ?? null,
    rxnormCodes,
  };
}
