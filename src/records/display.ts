// What a patient reads: units of measure and titles as people write them, not as systems store them.
// Pure. The binder fields carry these strings, so the API, the web client, print and the PDF all
// show the same words.

import { createRequire } from 'node:module';

// ---------------------------------------------------------------------------------------------
// Units

interface UcumValidation {
  status: 'valid' | 'invalid' | 'error';
}
interface UcumUtils {
  validateUnitString(unit: string, suggest?: boolean): UcumValidation;
}

let ucum: UcumUtils | null = null;

/** The kept UCUM library (@lhncbc/ucum-lhc), loaded on first use: its tables take ~150 ms to read. */
function ucumUtils(): UcumUtils {
  if (!ucum) {
    const library = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
    ucum = library.UcumLhcUtils.getInstance();
  }
  return ucum;
}

/** Whether the string is a UCUM expression (case-sensitive, as FHIR Quantity.code is). */
export function isUcum(unit: string): boolean {
  try {
    return ucumUtils().validateUnitString(unit, false).status === 'valid';
  } catch {
    return false;
  }
}

// UCUM's bracketed atoms people know by another name.
const BRACKET_ATOMS: Record<string, string> = {
  '[iU]': 'IU',
  '[IU]': 'IU',
  '[in_i]': 'in',
  '[ft_i]': 'ft',
  '[lb_av]': 'lb',
  '[oz_av]': 'oz',
  '[degF]': '°F',
  '[pH]': 'pH',
  '[ppm]': 'ppm',
  '[ppb]': 'ppb',
  '[drp]': 'drops',
  "[arb'U]": 'arbitrary units',
  '[USP\'U]': 'USP units',
  '[mi_i]': 'mi',
  '[yd_i]': 'yd',
  '[tsp_us]': 'tsp',
  '[tbs_us]': 'tbsp',
  '[foz_us]': 'fl oz',
  '[pt_us]': 'pt',
  '[qt_us]': 'qt',
  '[gal_us]': 'gal',
  '[cup_us]': 'cup',
  '[bdsk\'U]': 'Bodansky units',
  '[HPF]': 'high-power field',
  '[LPF]': 'low-power field',
};

// Time atoms alone ("d") or after a slash ("/d"): people write the word.
const TIME_WORDS: Record<string, [alone: string, per: string]> = {
  s: ['s', 's'],
  min: ['min', 'min'],
  h: ['hours', 'hour'],
  d: ['days', 'day'],
  wk: ['weeks', 'week'],
  mo: ['months', 'month'],
  a: ['years', 'year'],
};

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
const superscript = (digits: string): string => [...digits].map((digit) => SUPERSCRIPT[digit] ?? digit).join('');

const unitCache = new Map<string, string>();
const UNIT_CACHE_MAX = 5_000;

/**
 * A unit as a patient reads it: `[iU]` → IU, `10*3/uL` → ×10³/µL, `mm[Hg]` → mmHg, `mg/m2` → mg/m²,
 * `Cel` → °C, `{cells}/uL` → /µL (annotations dropped), `1` → ''. Free text that is not UCUM
 * ("tablet", "units") is kept as written, apart from µ and superscripts in unit-like words.
 */
export function readableUnit(unit: string): string {
  const cached = unitCache.get(unit);
  if (cached !== undefined) return cached;
  const readable = toReadableUnit(unit);
  if (unitCache.size >= UNIT_CACHE_MAX) unitCache.clear();
  unitCache.set(unit, readable);
  return readable;
}

function toReadableUnit(raw: string): string {
  const unit = raw.trim();
  if (unit === '') return '';
  // Human words ("tablet", "puff(s)", "units") are not rewritten.
  const ucumSyntax = /[[\]{}*^]/.test(unit);
  if (!ucumSyntax && !isUcum(unit)) return unit;
  let out = unit;
  // Annotations are notes for machines ("{cells}", "{score}"): dropped, except a body-surface divisor.
  out = out.replace(/\{1\.73_m2\}/g, '1.73 m2').replace(/\{[^}]*\}/g, '');
  for (const [atom, words] of Object.entries(BRACKET_ATOMS)) out = out.split(atom).join(words);
  out = out.replace(/mm\[Hg\]/g, 'mmHg').replace(/\[Hg\]/g, 'Hg');
  // Any other bracketed atom: its name without brackets and qualifiers ("[mi_us]" → "mi").
  out = out.replace(/\[([A-Za-z']+)(?:_[A-Za-z]+)?\]/g, '$1');
  out = out.replace(/(^|[^A-Za-z])Cel\b/g, '$1°C');
  // Powers of ten: "10*3" or "10^3" → "×10³".
  out = out.replace(/10[*^](-?\d+)/g, (_match, power: string) => `×10${superscript(power)}`);
  // Micro: "uL", "ug", "umol" → "µL", "µg", "µmol".
  out = out.replace(/(^|[^A-Za-z])u(L|l|g|mol|m|U|IU|kat|eq|s)(?![A-Za-z])/g, '$1µ$2');
  // Squares and cubes of a length: "m2" → "m²".
  out = out.replace(/([a-zµ]*m)([23])(?![\d])/g, (_match, base: string, power: string) => `${base}${superscript(power)}`);
  // Time atoms.
  out = out.replace(/\/(s|min|h|d|wk|mo|a)(?![A-Za-z])/g, (_match, atom: string) => `/${TIME_WORDS[atom]?.[1] ?? atom}`);
  const alone = TIME_WORDS[out];
  if (alone) out = alone[0];
  // Products: "mL.min" → "mL·min" (not the point of a decimal).
  out = out.replace(/(?<=[^\d\s])\.(?=[^\d\s])/g, '·');
  // Left-overs of dropped annotations: "/uL" keeps its slash, but "mL/min/" and "1" do not.
  out = out.replace(/\/{2,}/g, '/').replace(/\/$/, '');
  if (out === '1') return '';
  return out.trim();
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** "2,000 IU", "0.4 ×10³/µL", "< 5 mg/L", "37 °C"; a percent sign sits next to its number. */
export function readableQuantity(amount: number | string, unit?: string | null, comparator?: string | null): string {
  const number = typeof amount === 'number' ? NUMBER_FORMAT.format(amount) : amount;
  const readable = unit ? readableUnit(unit) : '';
  const value = `${comparator ? `${comparator} ` : ''}${number}`;
  if (readable === '') return value;
  if (readable === '%' || readable.startsWith('×')) return `${value}${readable === '%' ? '' : ' '}${readable}`;
  return `${value} ${readable}`;
}

// ---------------------------------------------------------------------------------------------
// Titles

// Abbreviations kept in capitals when an all-caps title is put in readable case.
const ABBREVIATIONS = new Set(
  (
    'CT MRI MR MRA MRCP CTA PET SPECT NM US XR DX FDG CAD DEXA DXA LDCT ECG EKG EEG EMG H&P CBC CMP BMP PSA CEA CA HER ER PR ' +
    'TSH HIV HPV COVID ICU ED IV PO IM SC PICC FISH ERCP EGD AP PA LAT W WO L R II III VI'
  ).split(' '),
);

/** Whether a title is shouted: letters, all of them capitals, and at least one real word. */
function isAllCaps(title: string): boolean {
  return !/[a-z]/.test(title) && /[A-Z]{4,}/.test(title);
}

/**
 * An all-caps portal title in readable case, keeping medical abbreviations:
 * "MRI BREAST BILATERAL W WO CONTRAST" → "MRI breast bilateral W WO contrast",
 * "NM PET/CT SKULL BASE-MID THIGH" → "NM PET/CT skull base-mid thigh". Other titles are kept as written.
 */
export function readableTitle(title: string): string {
  if (!isAllCaps(title)) return title;
  let first = true;
  return title.replace(/[A-Z0-9]+(?:&[A-Z0-9]+)*/g, (word) => {
    // Codes that mix letters and digits (HER2, A1C) stay as written; ordinals (1ST) do not.
    const keep = ABBREVIATIONS.has(word) || (/\d/.test(word) && /[A-Z]/.test(word) && !/^\d+(ST|ND|RD|TH)$/.test(word));
    const wasFirst = first && /[A-Z]/.test(word);
    if (/[A-Z]/.test(word)) first = false;
    if (keep) return word;
    const lower = word.toLowerCase();
    return wasFirst ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
  });
}
