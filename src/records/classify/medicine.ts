// Recognising cancer medicines in a drug concept, by RxNorm ingredient code or by name.

import {
  ANTICANCER_STEROIDS,
  CANCER_MEDICINE_CLASS_WORDS,
  CANCER_MEDICINE_PHRASES,
  CANCER_MEDICINE_RXNORM_INGREDIENTS,
  CANCER_MEDICINE_WORDS,
  SUPPORTIVE_CONTEXT,
} from './codes/medicines.js';
import { isObject, objects } from './../fhir-read.js';
import { codingsOf, conceptMatchText, field, type Coding } from './fhir.js';

/** Drug text and codings of a CodeableConcept, a Medication resource, a list of them, or plain text. */
function drugConcepts(input: unknown): unknown[] {
  if (isObject(input) && input.resourceType === 'Medication') {
    return [input.code, ...objects(input.ingredient).map((i) => i.itemCodeableConcept)];
  }
  return [input];
}

/** A drug as the rules read it: its codings and its lower-cased names, split into words once. */
export interface DrugName {
  readonly codings: readonly Coding[];
  readonly text: string;
  readonly words: readonly string[];
}

export function drugNameOf(input: unknown): DrugName {
  const concepts = drugConcepts(input);
  const text = typeof input === 'string' ? input.toLowerCase() : conceptMatchText(concepts);
  return { codings: codingsOf(concepts), text, words: text.split(/[^a-z0-9]+/) };
}

/**
 * The cancer-medicine ingredient a drug names ('capecitabine'), or undefined.
 * Matches RxNorm ingredient codes, generic and brand names, and abbreviations (5-FU, T-DM1).
 * Regimen names and drug-class words ("FOLFOX", "Taxanes", "chemo infusion") count unless
 * the text is about managing chemo ("for chemotherapy-induced nausea", "chemo port flush");
 * `supportiveVeto: false` turns that off for texts that blame a drug ("aromatase inhibitor-induced");
 * `namesOnly` skips class words, for texts that are not a drug's name (a procedure's).
 */
export function cancerIngredientOf(
  drug: DrugName,
  options: { supportiveVeto?: boolean; namesOnly?: boolean } = {},
): string | undefined {
  for (const coding of drug.codings) {
    if (coding.system === 'rxnorm' && Object.hasOwn(CANCER_MEDICINE_RXNORM_INGREDIENTS, coding.code)) {
      return CANCER_MEDICINE_RXNORM_INGREDIENTS[coding.code];
    }
  }
  if (drug.text === '') return undefined;
  for (const word of drug.words) if (CANCER_MEDICINE_WORDS.has(word)) return word;
  if (options.supportiveVeto !== false && SUPPORTIVE_CONTEXT.test(drug.text)) return undefined;
  const phrase = CANCER_MEDICINE_PHRASES.exec(drug.text);
  if (phrase || options.namesOnly) return phrase?.[0];
  return CANCER_MEDICINE_CLASS_WORDS.exec(drug.text)?.[0];
}

/** `cancerIngredientOf` for a CodeableConcept, Medication, list of them, or text. */
export function cancerMedicineIngredient(
  input: unknown,
  options: { supportiveVeto?: boolean; namesOnly?: boolean } = {},
): string | undefined {
  return cancerIngredientOf(drugNameOf(input), options);
}

/**
 * Whether a drug concept (CodeableConcept, Medication, or text) is a cancer medicine:
 * chemotherapy, targeted, immuno- or hormone therapy, by RxNorm ingredient or name.
 * This looks at the drug only; whether a given record is cancer treatment also depends on
 * its reason and route (weekly methotrexate for arthritis is not), which `classify` checks.
 */
export function isCancerMedicine(codeableConceptOrText: unknown): boolean {
  return cancerMedicineIngredient(codeableConceptOrText) !== undefined;
}

/** Whether the drug is a steroid that can be part of an anti-cancer regimen. */
export function isAnticancerSteroid(drug: DrugName): boolean {
  return drug.words.some((w) => ANTICANCER_STEROIDS.has(w));
}

/** Drug text of a MedicationRequest/Statement/Administration/Dispense, resolving contained Medications. */
export function medicationConceptOf(resource: Readonly<Record<string, unknown>>): unknown[] {
  const concepts: unknown[] = [];
  if (resource.medicationCodeableConcept !== undefined) concepts.push(resource.medicationCodeableConcept);
  const reference = resource.medicationReference;
  if (isObject(reference)) {
    concepts.push({ text: reference.display });
    const ref = typeof reference.reference === 'string' ? reference.reference : '';
    if (ref.startsWith('#')) {
      const contained = objects(resource.contained).find((c) => c.id === ref.slice(1));
      if (contained) concepts.push(...drugConcepts(contained));
    }
  }
  // R5 shape: medication.concept / medication.reference
  const r5 = field(resource, 'medication');
  if (isObject(r5)) {
    if (r5.concept !== undefined) concepts.push(r5.concept);
    if (isObject(r5.reference)) concepts.push({ text: r5.reference.display });
  }
  return concepts;
}
