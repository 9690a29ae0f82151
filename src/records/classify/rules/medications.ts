// MedicationRequest, MedicationStatement, MedicationAdministration, MedicationDispense:
// cancer treatment (rules 15–18, 29), the home medication list (rules 27–29) and vaccines
// given as medicines (rule 30).

import type { CategoryId } from '../../categories.js';
import {
  CANCER_ICD10_PREFIXES,
  CANCER_MEDICINE_BRANDS,
  CANCER_WORDS,
  INJECTABLE_FORM,
  IV_PREPARATION,
  MEDICAL_SUPPLIES,
  METHOTREXATE,
  METHOTREXATE_CANCER_ROUTES,
  METHOTREXATE_LOW_DOSE_MAX_MG,
  NON_CANCER_INDICATIONS,
  NON_SYSTEMIC_PRODUCTS,
  NON_SYSTEMIC_ROUTES,
  PARENTERAL_ONLY_CANCER_MEDICINES,
  PARENTERAL_ONLY_SUFFIXES,
  PARENTERAL_REGIMEN_OR_CLASS,
  STAFF_GIVEN_CATEGORY,
  STAFF_GIVEN_ROUTE,
  STEROID_REGIMENS,
  STEROID_RESPONSIVE_CANCERS,
  STEROID_SUPPORTIVE_USE,
} from '../codes/medicines.js';
import { VACCINE_WORDS } from '../codes/vaccines.js';
import { objects, type JsonObject } from '../../fhir-read.js';
import { codingsOf, conceptMatchText, field, joinText, lower, notesText, referenceDisplays, str, type Coding } from '../fhir.js';
import { cancerIngredientOf, drugNameOf, isAnticancerSteroid, medicationConceptOf, type DrugName } from '../medicine.js';
import { icd10Codes, icd10StartsWith, procedureKindOf, reasonSaysCancer } from '../signals.js';

const HOME_LIST_STATUSES: Readonly<Record<string, ReadonlySet<string>>> = {
  MedicationRequest: new Set(['active', 'on-hold', 'unknown', '']),
  MedicationStatement: new Set(['active', 'intended', 'unknown', '']),
};

interface MedicationRecord {
  readonly resourceType: string;
  readonly status: string;
  readonly drug: DrugName;
  readonly drugText: string;
  readonly drugCodings: readonly Coding[];
  readonly routeText: string;
  readonly dosageText: string;
  readonly doses: readonly { readonly value: number; readonly unit: string }[];
  readonly reasonCodings: Coding[];
  readonly reasonText: string;
  /** Everything said about the drug's use (built only when a steroid needs it). */
  readonly contextText: () => string;
  readonly categoryCodes: readonly string[];
  readonly categoryText: string;
}

function dosagesOf(resource: JsonObject): JsonObject[] {
  return [...objects(resource.dosageInstruction), ...objects(resource.dosage)];
}

function readDoses(dosages: readonly JsonObject[]): { value: number; unit: string }[] {
  const doses: { value: number; unit: string }[] = [];
  const add = (quantity: unknown): void => {
    const value = field(quantity, 'value');
    if (typeof value === 'number') doses.push({ value, unit: lower(field(quantity, 'unit')) || lower(field(quantity, 'code')) });
  };
  for (const dosage of dosages) {
    add(dosage.dose);
    for (const rate of objects(dosage.doseAndRate)) add(rate.doseQuantity);
  }
  return doses;
}

function readMedicationRecord(resource: JsonObject): MedicationRecord {
  const drug = drugNameOf(medicationConceptOf(resource));
  const dosages = dosagesOf(resource);
  const dosageText = joinText(
    ...dosages.flatMap((d) => [
      lower(d.text),
      lower(d.patientInstruction),
      ...objects(d.extension).map((e) => lower(e.valueString)),
      conceptMatchText(d.asNeededCodeableConcept),
    ]),
  );
  const routeText = joinText(...dosages.flatMap((d) => [conceptMatchText(d.route), conceptMatchText(d.site), conceptMatchText(d.method)]));
  const reasons = [...objects(resource.reasonCode), ...objects(resource.reason).map((r) => r.concept ?? r)];
  const reasonText = joinText(
    conceptMatchText(reasons),
    referenceDisplays(resource.reasonReference),
    referenceDisplays(objects(resource.reason).map((r) => r.reference)),
  );
  const categories = objects(resource.category);
  return {
    resourceType: str(resource.resourceType),
    status: lower(resource.status),
    drug,
    drugText: drug.text,
    drugCodings: drug.codings,
    routeText,
    dosageText,
    doses: readDoses(dosages),
    reasonCodings: codingsOf(reasons),
    reasonText,
    contextText: () =>
      joinText(drug.text, dosageText, notesText(resource.note), conceptMatchText(resource.courseOfTherapyType), reasonText),
    categoryCodes: codingsOf(categories).map((c) => c.code.toLowerCase()),
    categoryText: conceptMatchText(categories),
  };
}

function hasNonCancerReason(record: MedicationRecord): boolean {
  if (NON_CANCER_INDICATIONS.test(joinText(record.reasonText, record.dosageText))) return true;
  // A coded reason that names no neoplasm is a non-cancer reason.
  const icd = icd10Codes(record.reasonCodings);
  return icd.length > 0 && !icd.some((code) => icd10StartsWith(code, CANCER_ICD10_PREFIXES));
}

/** High-dose, intravenous or intrathecal methotrexate treats cancer; weekly low doses treat arthritis (rule 18). */
function isCancerDoseOfMethotrexate(record: MedicationRecord): boolean {
  if (METHOTREXATE_CANCER_ROUTES.test(joinText(record.routeText, record.dosageText, record.drugText))) return true;
  return record.doses.some(
    (d) => d.unit.includes('/m2') || d.unit === 'g' || (d.unit.startsWith('mg') && d.value > METHOTREXATE_LOW_DOSE_MAX_MG),
  );
}

/** Dexamethasone/prednisone count only inside an anti-cancer regimen, not as premeds (rules 16–17). */
function isSteroidInAnticancerRegimen(record: MedicationRecord): boolean {
  if (!isAnticancerSteroid(record.drug)) return false;
  const context = record.contextText();
  if (STEROID_SUPPORTIVE_USE.test(context)) return false;
  return STEROID_REGIMENS.test(context) || STEROID_RESPONSIVE_CANCERS.test(record.reasonText);
}

function isCancerTreatment(record: MedicationRecord): boolean {
  const ingredient = cancerIngredientOf(record.drug);
  if (ingredient === undefined) return isSteroidInAnticancerRegimen(record);
  if (reasonSaysCancer(record.reasonCodings, record.reasonText)) return true;
  if (NON_SYSTEMIC_ROUTES.test(record.routeText) || NON_SYSTEMIC_PRODUCTS.test(record.drugText)) return false;
  if (hasNonCancerReason(record)) return false;
  if (ingredient === METHOTREXATE) return isCancerDoseOfMethotrexate(record);
  return true;
}

function isVaccine(record: MedicationRecord): boolean {
  if (record.drugCodings.some((c) => c.system === 'cvx' || (c.system === 'cpt' && procedureKindOf(c) === 'vaccine'))) return true;
  return VACCINE_WORDS.test(record.drugText) && !CANCER_WORDS.test(record.drugText);
}

function isParenteralOnlyCancerMedicine(ingredient: string | undefined): boolean {
  if (ingredient === undefined) return false;
  const name = Object.hasOwn(CANCER_MEDICINE_BRANDS, ingredient) ? CANCER_MEDICINE_BRANDS[ingredient] : ingredient;
  return PARENTERAL_ONLY_CANCER_MEDICINES.has(name) || PARENTERAL_ONLY_SUFFIXES.test(name) || PARENTERAL_REGIMEN_OR_CLASS.test(name);
}

function isGivenByStaff(record: MedicationRecord, isCancerDrug: boolean): boolean {
  if (record.categoryCodes.includes('inpatient')) return true;
  if (isCancerDrug && isParenteralOnlyCancerMedicine(cancerIngredientOf(record.drug))) return true;
  if (STAFF_GIVEN_CATEGORY.test(record.categoryText)) return true;
  if (STAFF_GIVEN_ROUTE.test(joinText(record.routeText, record.dosageText))) return true;
  if (IV_PREPARATION.test(record.drugText)) return true;
  // Parenteral cancer drugs (bortezomib SC, leuprolide depot, fulvestrant IM) are given in clinic.
  return isCancerDrug && INJECTABLE_FORM.test(joinText(record.drugText, record.routeText));
}

/** Rule 27–29: a current prescription, OTC, vitamin or supplement the patient takes at home. */
function isOnHomeMedicationList(resource: JsonObject, record: MedicationRecord, isCancerDrug: boolean): boolean {
  const statuses = HOME_LIST_STATUSES[record.resourceType];
  if (!statuses?.has(record.status)) return false;
  if (lower(resource.intent) === 'proposal') return false;
  if (record.drugText === '' && record.drugCodings.length === 0) return false;
  if (isVaccine(record) || MEDICAL_SUPPLIES.test(record.drugText)) return false;
  return !isGivenByStaff(record, isCancerDrug);
}

export function classifyMedicationRecord(resource: JsonObject): CategoryId[] {
  if (field(resource, 'doNotPerform') === true) return [];
  const record = readMedicationRecord(resource);
  if (record.resourceType === 'MedicationDispense' && record.status === 'declined') return [];
  const categories: CategoryId[] = [];
  const isCancerDrug = isCancerTreatment(record);
  if (isCancerDrug) categories.push('medication-treatment-summary');
  if (record.resourceType === 'MedicationAdministration' && isVaccine(record) && (record.status === 'completed' || record.status === '')) {
    categories.push('vaccines');
  }
  if (isOnHomeMedicationList(resource, record, isCancerDrug)) categories.push('medicines-and-supplements');
  return categories;
}
