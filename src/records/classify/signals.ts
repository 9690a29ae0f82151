// Small lookups over the code tables, shared by the per-resource rules.

import { CANCER_ICD10_PREFIXES, CANCER_WORDS } from './codes/medicines.js';
import {
  CPT_RANGES,
  HCPCS_RANGES,
  ICD10_PCS_PREFIXES,
  ICD10_PCS_SECTIONS,
  SNOMED_PROCEDURES,
  type ProcedureKind,
} from './codes/procedures.js';
import { PROFILE_SIGNALS, profileId, type ProfileSignal } from './codes/profiles.js';
import { CATEGORY_WORDS, V2_0074_SECTIONS, type ResultKind } from './codes/report-categories.js';
import {
  IMAGING_TITLE_ABBREVIATIONS,
  IMAGING_TITLE_FIRST_WORDS,
  IMAGING_WORDS,
  LAB_TEST_WORDS,
} from './codes/text-signals.js';
import { codingsOf, conceptMatchText, type Coding } from './fhir.js';

/** ICD-10 code without dot, upper-cased ("t45.1x5a" → "T451X5A"). */
export function compactIcd10(code: string): string {
  return code.replace(/\./g, '').toUpperCase();
}

const compactPrefixLists = new WeakMap<readonly string[], readonly string[]>();

/** Whether an ICD-10 code starts with any of the prefixes (dots ignored on both sides). */
export function icd10StartsWith(code: string, prefixes: readonly string[]): boolean {
  let compactPrefixes = compactPrefixLists.get(prefixes);
  if (!compactPrefixes) {
    compactPrefixes = prefixes.map(compactIcd10);
    compactPrefixLists.set(prefixes, compactPrefixes);
  }
  const compact = compactIcd10(code);
  return compactPrefixes.some((prefix) => compact.startsWith(prefix));
}

export function icd10Codes(codings: readonly Coding[]): string[] {
  return codings.filter((c) => c.system === 'icd10cm').map((c) => c.code);
}

/** What a CPT, HCPCS, SNOMED CT or ICD-10-PCS procedure code is, if the tables know it. */
export function procedureKindOf(coding: Coding): ProcedureKind | undefined {
  switch (coding.system) {
    case 'cpt': {
      if (!/^\d{5}$/.test(coding.code)) return undefined;
      const n = Number(coding.code);
      return CPT_RANGES.find((r) => n >= r.from && n <= r.to)?.kind;
    }
    case 'hcpcs': {
      const match = /^([A-Z])(\d{4})$/.exec(coding.code.toUpperCase());
      if (!match) return undefined;
      const [, letter, digits] = match;
      const n = Number(digits);
      return HCPCS_RANGES.find((r) => r.letter === letter && n >= r.from && n <= r.to)?.kind;
    }
    case 'snomed':
      return Object.hasOwn(SNOMED_PROCEDURES, coding.code) ? SNOMED_PROCEDURES[coding.code] : undefined;
    case 'icd10pcs': {
      const code = coding.code.toUpperCase();
      const refined = ICD10_PCS_PREFIXES.find(([pattern]) => pattern.test(code));
      if (refined) return refined[1];
      const section = code.charAt(0);
      return Object.hasOwn(ICD10_PCS_SECTIONS, section) ? ICD10_PCS_SECTIONS[section] : undefined;
    }
    case 'loinc':
    case 'rxnorm':
    case 'icd10cm':
    case 'cvx':
    case 'ndc':
    case 'v2-0074':
    case 'observation-category':
    case 'condition-category':
    case 'condition-ver-status':
    case 'v3-actcode':
    case 'v2-0004':
    case 'dicom':
    case 'local':
      return undefined;
  }
}

export function procedureKindsOf(codings: readonly Coding[]): Set<ProcedureKind> {
  const kinds = new Set<ProcedureKind>();
  for (const coding of codings) {
    const kind = procedureKindOf(coding);
    if (kind) kinds.add(kind);
  }
  return kinds;
}

export function profileSignals(profiles: readonly string[]): Set<ProfileSignal> {
  const signals = new Set<ProfileSignal>();
  for (const url of profiles) {
    const id = profileId(url);
    if (Object.hasOwn(PROFILE_SIGNALS, id)) signals.add(PROFILE_SIGNALS[id]);
  }
  return signals;
}

/** Result kinds a report's categories name (v2-0074 sections, LOINC parts, vendor words). */
export function resultKindsOfCategories(categories: unknown): Set<ResultKind> {
  const kinds = new Set<ResultKind>();
  for (const coding of codingsOf(categories)) {
    if (coding.system === 'v2-0074') {
      const section = coding.code.toUpperCase();
      if (Object.hasOwn(V2_0074_SECTIONS, section)) kinds.add(V2_0074_SECTIONS[section]);
    } else if (coding.system === 'loinc') {
      if (coding.code === 'LP29684-5') kinds.add('imaging');
      else if (coding.code === 'LP7839-6') kinds.add('pathology');
      else if (coding.code === 'LP7819-8') kinds.add('lab');
    } else if (coding.system === 'observation-category' && coding.code === 'laboratory') {
      kinds.add('lab');
    } else if (coding.system === 'observation-category' && coding.code === 'imaging') {
      kinds.add('imaging');
    }
  }
  const text = conceptMatchText(categories);
  if (text) {
    for (const [pattern, kind] of CATEGORY_WORDS) if (pattern.test(text)) kinds.add(kind);
  }
  return kinds;
}

/** Whether a reason (codes or words) names a cancer or a cancer status. */
export function reasonSaysCancer(codings: readonly Coding[], text: string): boolean {
  if (CANCER_WORDS.test(text)) return true;
  return codings.some((c) => c.system === 'icd10cm' && icd10StartsWith(c.code, CANCER_ICD10_PREFIXES));
}

/**
 * Whether titles name an imaging modality. Abbreviations ("CT chest", "US abdomen") count
 * only in titles that are not lab test names, where "CT" is a count ("Plt Ct").
 */
export function titlesNameImaging(titles: readonly string[]): boolean {
  if (titles.some((t) => IMAGING_WORDS.test(t))) return true;
  return titles.some(
    (t) => (IMAGING_TITLE_ABBREVIATIONS.test(t) || IMAGING_TITLE_FIRST_WORDS.test(t)) && !LAB_TEST_WORDS.test(t),
  );
}
