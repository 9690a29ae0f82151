// The leaflet's eleven categories, in the leaflet's own order. Everything that files,
// shows or stores a record's categories uses these ids; the order here is the order
// the binder shows them and the order `classify` returns them in.

export const CATEGORY_IDS = [
  'pathology-reports',
  'imaging-results',
  'operation-reports',
  'discharge-summaries',
  'medication-treatment-summary',
  'radiation-treatment-summary',
  'treatment-side-effects',
  'health-problems',
  'medicines-and-supplements',
  'vaccines',
  'health-history-tests',
] as const;

export type CategoryId = (typeof CATEGORY_IDS)[number];

/** meta.tag system of a category the patient chose for a record (an upload); its code is a category id. */
export const FILED_BY_PATIENT_SYSTEM = 'https://carebinder.example.org/fhir/CodeSystem/leaflet-category';

export interface Category {
  readonly id: CategoryId;
  /** Short patient-facing heading. */
  readonly title: string;
  /** The leaflet's wording of what belongs in the category. */
  readonly leafletWording: string;
}

export const CATEGORIES: Readonly<Record<CategoryId, Category>> = {
  'pathology-reports': {
    id: 'pathology-reports',
    title: 'Pathology reports',
    leafletWording: 'Pathology reports',
  },
  'imaging-results': {
    id: 'imaging-results',
    title: 'Imaging test results',
    leafletWording: 'Imaging test results (CT, MRI...)',
  },
  'operation-reports': {
    id: 'operation-reports',
    title: 'Operation reports',
    leafletWording: 'Operation reports',
  },
  'discharge-summaries': {
    id: 'discharge-summaries',
    title: 'Discharge summaries',
    leafletWording: 'Discharge summaries',
  },
  'medication-treatment-summary': {
    id: 'medication-treatment-summary',
    title: 'Chemotherapy and other cancer medicines',
    leafletWording:
      'A treatment summary for chemo or other cancer medicines, with doses and how long they were taken',
  },
  'radiation-treatment-summary': {
    id: 'radiation-treatment-summary',
    title: 'Radiation therapy',
    leafletWording: 'A radiation therapy treatment summary',
  },
  'treatment-side-effects': {
    id: 'treatment-side-effects',
    title: 'Treatment side effects',
    leafletWording: 'Treatment side effects, and whether they continued after treatment',
  },
  'health-problems': {
    id: 'health-problems',
    title: 'Other health problems',
    leafletWording: 'A current list of other health problems',
  },
  'medicines-and-supplements': {
    id: 'medicines-and-supplements',
    title: 'Medicines, vitamins and supplements',
    leafletWording: 'A current list of all medicines, vitamins and supplements, with dose and frequency',
  },
  vaccines: {
    id: 'vaccines',
    title: 'Vaccines',
    leafletWording: 'A current list of vaccines',
  },
  'health-history-tests': {
    id: 'health-history-tests',
    title: 'Health history test results',
    leafletWording: 'A current list of health-history test results (glucose, A1C, EKG...)',
  },
};

const CATEGORY_ID_SET: ReadonlySet<string> = new Set(CATEGORY_IDS);

export function isCategoryId(value: unknown): value is CategoryId {
  return typeof value === 'string' && CATEGORY_ID_SET.has(value);
}

/** Dedupes and sorts category ids into the leaflet's order. */
export function inLeafletOrder(ids: Iterable<CategoryId>): CategoryId[] {
  const present = new Set(ids);
  return CATEGORY_IDS.filter((id) => present.has(id));
}
