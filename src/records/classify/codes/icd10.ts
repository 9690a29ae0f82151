// ICD-10-CM code groups (CMS/CDC ICD-10-CM tabular list). Codes are compared without the
// dot, upper-cased, by prefix, so "T45.1X5A" matches "T451X5".

/** Adverse effects of cancer drugs and of radiation or surgery as the cause (rule 22). */
export const TREATMENT_ADVERSE_EFFECT_ICD10: readonly string[] = [
  'T451X5', // Adverse effect of antineoplastic and immunosuppressive drugs
  'T386X5', // Adverse effect of antigonadotrophins, antiestrogens, antiandrogens (hormone therapy)
  'Y632', // Overdose of radiation given during therapy
  'Y842', // Radiological procedure and radiotherapy as the cause of abnormal reaction
  'Y83', // Surgical operation as the cause of abnormal reaction or later complication
];

/** Disorders whose code itself says they come from cancer treatment (rule 22). */
export const TREATMENT_CAUSED_DISORDER_ICD10: readonly string[] = [
  'D61810', // Antineoplastic chemotherapy induced pancytopenia
  'D6481', // Anemia due to antineoplastic chemotherapy
  'D701', // Agranulocytosis secondary to cancer chemotherapy
  'K1231', // Oral mucositis due to antineoplastic therapy
  'K1233', // Oral mucositis due to radiation
  'L58', // Radiodermatitis
  'K627', // Radiation proctitis
  'K520', // Gastroenteritis and colitis due to radiation
  'J700', // Acute pulmonary manifestations due to radiation
  'J701', // Chronic pulmonary manifestations due to radiation
  'N304', // Irradiation cystitis
  'I972', // Postmastectomy lymphedema syndrome
  'E890', // Postprocedural (incl. postirradiation) hypothyroidism
  'E894', // Postprocedural ovarian failure
  // Postprocedural complications by body system, and complications of procedures/infusions.
  'K91', 'I97', 'J95', 'N99', 'G97', 'M96', 'L76', 'H59', 'H95', 'D78', 'E36', 'T80', 'T81',
];

/** Codes that say "drug-induced" without naming the drug: side effects only with cancer-treatment context. */
export const DRUG_INDUCED_ICD10: readonly string[] = [
  'G620', // Drug-induced polyneuropathy
  'L270', 'L271', // Drug eruptions
  'I427', // Cardiomyopathy due to drug and external agent
  'H910', // Ototoxic hearing loss
  'D611', // Drug-induced aplastic anemia
  'D702', // Other drug-induced agranulocytosis
  'E231', // Drug-induced hypopituitarism
  'E064', // Drug-induced thyroiditis
  'K71', // Toxic liver disease
  'N141', // Nephropathy induced by other drugs
  'J704', // Drug-induced interstitial lung disorders
];

/** Encounter-reason Z codes: why a visit happened, not a health problem (rule 26). */
export const ENCOUNTER_REASON_ICD10: readonly string[] = [
  'Z00', 'Z01', 'Z02', 'Z03', 'Z04', 'Z05', 'Z08', 'Z09', 'Z10', 'Z11', 'Z12', 'Z13', // exams, screening, follow-up
  'Z20', // Contact with and (suspected) exposure to communicable diseases
  'Z23', // Encounter for immunization
  'Z30', 'Z31', 'Z34', 'Z36', 'Z39', // contraceptive, procreative, pregnancy supervision
  'Z40', 'Z41', 'Z42', 'Z43', 'Z44', 'Z45', 'Z46', 'Z47', 'Z48', 'Z49', // prophylactic surgery, aftercare, devices
  'Z51', // Encounter for chemotherapy, immunotherapy, radiotherapy, other aftercare
  'Z52', 'Z53', // donors, procedure not carried out
  'Z71', 'Z76', // counseling, other encounters
];

/** Social and administrative circumstances and relatives' history: not the patient's health (rules 3, 26). */
export const SOCIAL_OR_FAMILY_ICD10: readonly string[] = [
  'Z55', 'Z56', 'Z57', 'Z58', 'Z59', 'Z60', 'Z62', 'Z63', 'Z64', 'Z65', // education, work, housing, social
  'Z75', // medical facilities unavailable
  'Z80', 'Z81', 'Z82', 'Z83', 'Z84', // family history
];
