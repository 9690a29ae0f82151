// The leaflet's eleven categories as the upload form offers them. Pure.

/** The leaflet's categories (src/records/categories.ts; a unit test keeps the two in step). */
export const CATEGORY_CHOICES: ReadonlyArray<readonly [string, string]> = [
  ['pathology-reports', 'Pathology reports'],
  ['imaging-results', 'Imaging test results'],
  ['operation-reports', 'Operation reports'],
  ['discharge-summaries', 'Discharge summaries'],
  ['medication-treatment-summary', 'Chemotherapy and other cancer medicines'],
  ['radiation-treatment-summary', 'Radiation therapy'],
  ['treatment-side-effects', 'Treatment side effects'],
  ['health-problems', 'Other health problems'],
  ['medicines-and-supplements', 'Medicines, vitamins and supplements'],
  ['vaccines', 'Vaccines'],
  ['health-history-tests', 'Health history test results'],
];
