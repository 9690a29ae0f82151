// SNOMED CT social and administrative findings that are not health problems (rule 26).
// Source: SNOMED CT findings used for social determinants of health (as Synthea records
// them) and the "review due" situations. Matched by code when a condition has no text.

export const SOCIAL_FINDING_SNOMED: ReadonlySet<string> = new Set([
  '160903007', // Full-time employment
  '160904001', // Part-time employment
  '73438004', // Unemployed
  '741062008', // Not in labor force
  '224299000', // Received higher education
  '473461003', // Educated to high school level
  '5251000175109', // Received certificate of high school equivalency
  '266948004', // Has a criminal record
  '422650009', // Social isolation
  '423315002', // Limited social contact
  '706893006', // Victim of intimate partner abuse
  '73595000', // Stress
  '713458007', // Lack of access to transportation
  '424393004', // Reports of violence in the environment
  '32911000', // Homeless
  '105531004', // Housing unsatisfactory
  '446654005', // Refugee
  '314529007', // Medication review due
]);
