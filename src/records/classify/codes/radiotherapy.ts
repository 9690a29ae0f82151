// Radiation therapy (rule 19). Sources: SNOMED CT radiotherapy concepts as used by the
// mCODE RadiotherapyCourseSummary profile and its modality/technique value sets
// (hl7.org/fhir/us/mcode); CPT 77261–77799 and HCPCS G6001–G6017 live in procedures.ts.

export const RADIOTHERAPY_SNOMED: ReadonlySet<string> = new Set([
  '1217123003', // Radiotherapy course of treatment
  '108290001', // Radiation oncology and/or radiotherapy (also the profile's category)
  '33195004', // Teleradiotherapy procedure
  '152198000', // Brachytherapy
  '1156506007', // External beam radiation therapy using photons
  '45643008', // Teleradiotherapy using electrons
  '80347004', // Teleradiotherapy neutron beam
  '10611004', // Teleradiotherapy protons
  '1156505006', // Teleradiotherapy using carbon ions
  '169359004', // Internal radiotherapy - permanent seeds
  '1156708005', // Low dose rate brachytherapy using temporary source
  '441799006', // Intensity modulated radiation therapy
  '703423002', // Combined chemotherapy and radiation therapy
]);

/** Concurrent chemoradiation: both treatment summaries. */
export const CHEMORADIATION_SNOMED: ReadonlySet<string> = new Set(['703423002']);

/** mCODE radiotherapy profile and extension ids (matched as URL suffixes). */
export const RADIOTHERAPY_PROFILE_IDS: readonly string[] = [
  'mcode-radiotherapy-course-summary',
  'mcode-cancer-related-radiation-procedure',
  'mcode-teleradiotherapy-treatment-phase',
  'mcode-brachytherapy-treatment-phase',
];
export const RADIOTHERAPY_EXTENSION_HINT = 'radiotherapy';

/** Radiation treatment words in a procedure's name (radiosurgery is radiation, rule 11). Word stems also match inside words ("teleradiotherapy"). */
export const RADIATION_TREATMENT_WORDS =
  /\b(?:radiation (therapy|treatment|tx|oncology)|radiotherap|\birradiation\b|teletherap|\bbrachytherap|radiosurgery|stereotactic (body )?radi|\bsbrt\b|\bsrs\b|\bimrt\b|\bvmat\b|\bigrt\b|\bebrt\b|external beam|proton (beam|therapy)|gamma knife|cyberknife|\bhdr\b|\bldr\b|radioiodine|\bi-131\b|radium-223|lutetium|\blu-177\b|radiation (simulation|planning|treatment planning)|\bct simulation\b|isodose|dosimetry|\b\d+(\.\d+)? ?c?gy\b|\b\d+ ?(fractions|fx)\b|whole (breast|brain) (rt|radiation))|radiotherap|radiosurg|brachytherap|teletherap/;

/** Titles of radiation-oncology treatment summaries, however the document is typed. */
export const RADIATION_SUMMARY_TITLE =
  /(radiation|radiotherapy|rad onc|\brt\b|\bxrt\b|\bimrt\b|\bsbrt\b|brachytherapy|radiosurgery)[^|]*(summary|completion|end of treatment|\beot\b|treatment record|course|simulation|planning|treatment plan|dosimetry|treatment management|on[- ]treatment)|(treatment|completion|end of treatment) summary[^|]*(radiation|radiotherapy|\brt\b|\bxrt\b)|end of (radiation|radiotherapy|\brt\b|\bxrt\b)/;
