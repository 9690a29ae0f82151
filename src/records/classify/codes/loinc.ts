// LOINC codes that decide a category on their own.
// Source: LOINC (loinc.org) — the Document Ontology "study"/"note" codes for documents
// and reports, the mCODE and Genomics Reporting IGs for staging and variant codes, and
// LOINC panels used by US Core vital signs. Codes not listed fall through to the
// category codes and the text of the record.

/** Anatomic pathology, cytology, bone-marrow and autopsy reports (rule 5). */
export const PATHOLOGY_REPORT_LOINC: ReadonlySet<string> = new Set([
  '11526-1', // Pathology study
  '11529-5', // Surgical pathology study
  '60567-5', // Comprehensive pathology report panel
  '60568-3', // Pathology synoptic report
  '22634-0', // Pathology report gross observation
  '22635-7', // Pathology report microscopic observation
  '22636-5', // Pathology report relevant history
  '22637-3', // Pathology report final diagnosis
  '22638-1', // Pathology report comments
  '22639-9', // Pathology report supplemental reports
  '33717-0', // Cytology study
  '33718-8', // Cytology report of tissue fine needle aspirate
  '47527-7', // Cytology report of cervical/vaginal smear, thin prep
  '47528-5', // Cytology report of cervical/vaginal smear
  '10524-7', // Microscopic observation in cervix by cyto stain
  '19762-4', // General categories of cervical/vaginal smear
  '33721-2', // Bone marrow pathology biopsy report
  '18743-5', // Autopsy report
]);

/** Molecular and genomic reports and variant results (rules 5–7; HL7 Genomics Reporting IG). */
export const GENOMIC_LOINC: ReadonlySet<string> = new Set([
  '51969-4', // Genetic analysis report
  '81247-9', // Master HL7 genetic variant reporting panel
  '55232-3', // Genetic analysis summary panel
  '55233-1', // Genetic analysis master panel
  '69548-6', // Genetic variant assessment
  '81252-9', // Discrete genetic variant
  '48018-6', // Gene studied
  '48004-6', // DNA change (c.HGVS)
  '48005-3', // Amino acid change (p.HGVS)
  '53037-8', // Genetic variation clinical significance
  '51958-7', // Transcript reference sequence
  '94076-7', // Tumor mutational burden
  '81695-9', // Microsatellite instability in cancer specimen
]);

/** Blood and tissue tumor markers (rule 6). */
export const TUMOR_MARKER_LOINC: ReadonlySet<string> = new Set([
  '2039-6', // Carcinoembryonic Ag (CEA)
  '6875-9', // Cancer Ag 15-3
  '17842-6', // Cancer Ag 27-29
  '10334-1', // Cancer Ag 125
  '24108-3', // Cancer Ag 19-9
  '1834-1', // Alpha-1-fetoprotein
  '2857-1', // Prostate specific Ag
  '35741-8', // Prostate specific Ag, sensitive
  '10886-0', // Prostate specific Ag free
  '12841-3', // Prostate specific Ag free/total
  '85337-4', // Estrogen receptor Ag in breast cancer specimen by immune stain
  '85339-0', // Progesterone receptor Ag in breast cancer specimen by immune stain
  '16112-5', // Estrogen receptor [interpretation] in tissue
  '16113-3', // Progesterone receptor [interpretation] in tissue
  '40556-3', // Estrogen receptor Ag in tissue
  '40557-1', // Progesterone receptor Ag in tissue
  '85319-2', // HER2 in breast cancer specimen by immune stain
  '85318-4', // HER2 in breast cancer specimen by FISH
  '48676-1', // HER2 [interpretation] in tissue
]);

/** Cancer stage, TNM categories, disease status and response (rule 25 → health problems). */
export const CANCER_STAGING_LOINC: ReadonlySet<string> = new Set([
  '21908-9', // Stage group.clinical
  '21902-2', // Stage group.pathology
  '21905-5', // Primary tumor.clinical
  '21899-0', // Primary tumor.pathology
  '21906-3', // Regional lymph nodes.clinical
  '21900-6', // Regional lymph nodes.pathology
  '21907-1', // Distant metastases.clinical
  '21901-4', // Distant metastases.pathology
  '97509-4', // Cancer disease progression (mCODE CancerDiseaseStatus)
  '88040-1', // Response to cancer treatment
]);

/** Performance status scores: an assessment, not a problem or a test (rule 25). */
export const PERFORMANCE_STATUS_LOINC: ReadonlySet<string> = new Set([
  '89247-1', // ECOG performance status
  '89243-0', // Karnofsky performance status
]);

/** EKG in any form (rule 31). */
export const EKG_LOINC: ReadonlySet<string> = new Set([
  '11524-6', // EKG study
  '8601-7', // EKG impression
  '18844-1', // EKG findings
  '34534-8', // 12 lead EKG panel
  '8625-6', // P-R interval
  '8633-0', // QRS duration
  '8634-8', // Q-T interval
  '8636-3', // Q-T interval corrected
  '8626-4', // P wave axis
  '8632-2', // QRS axis
  '8638-9', // T wave axis
]);

/** Pulmonary function tests (rule 31). */
export const PULMONARY_FUNCTION_LOINC: ReadonlySet<string> = new Set([
  '20150-9', // FEV1
  '19868-9', // FVC
  '19926-5', // FEV1/FVC
]);

/** Imaging studies and reports, including echo and cardiac imaging (rules 8–9). */
export const IMAGING_LOINC: ReadonlySet<string> = new Set([
  '18748-4', // Diagnostic imaging study
  '18726-0', // Radiology studies (set)
  '18782-3', // Radiology study observation
  '11528-7', // Radiology report
  '18747-6', // CT study
  '18755-9', // MRI study
  '18756-7', // MRI spine study
  '18757-5', // Nuclear medicine study
  '18758-3', // PET scan study
  '18759-1', // Myocardial perfusion study
  '18760-9', // Ultrasound study
  '18745-0', // Cardiac catheterization study (angiography)
  '11522-0', // Echocardiography study
  '34552-0', // 2D echocardiogram panel
  '11525-3', // US pelvis fetus
  '24627-2', // CT chest
  '36813-4', // CT abdomen and pelvis with contrast
  '44136-0', // PET
  '24606-6', // MG breast screening
  '24604-1', // MG breast diagnostic
  '38269-7', // DXA bone density
  '36643-5', // XR chest 2 views
  '10230-1', // Left ventricular ejection fraction
  '8806-2', // Left ventricular ejection fraction by 2D echo
  '18043-0', // Left ventricular ejection fraction by US
]);

/** Endoscopy study documents: endoscopies are procedures (rule 10). */
export const ENDOSCOPY_REPORT_LOINC: ReadonlySet<string> = new Set([
  '18746-8', // Colonoscopy study
  '18751-8', // Endoscopy study
  '18753-4', // Flexible sigmoidoscopy study
  '18744-3', // Bronchoscopy study
]);

/** Operative notes (rule 10). */
export const OPERATIVE_NOTE_LOINC: ReadonlySet<string> = new Set([
  '11504-8', // Surgical operation note
  '34874-8', // Surgical operation note (surgery)
]);

/** Procedure notes: operations only when the procedure is one (rule 10). */
export const PROCEDURE_NOTE_LOINC: ReadonlySet<string> = new Set([
  '28570-0', // Procedure note
  '11505-5', // Physician procedure note
]);

/** Discharge summaries and discharge instructions (rule 13). */
export const DISCHARGE_LOINC: ReadonlySet<string> = new Set([
  '18842-5', // Discharge summary
  '8653-8', // Hospital discharge instructions
  '11490-0', // Physician discharge summary
  '28655-9', // Attending physician discharge summary
  '34105-7', // Hospital discharge summary
  '34106-5', // Physician hospital discharge summary
  '34745-0', // Nurse discharge summary
  '59258-4', // Emergency department discharge summary
]);

/** Whole-record summaries: not a single record (rule 3). */
export const RECORD_SUMMARY_LOINC: ReadonlySet<string> = new Set([
  '34133-9', // Summary of episode note (CCD)
  '60591-5', // Patient summary
  '11503-0', // Medical records
]);

/**
 * Clinical notes: never a result, even when they discuss one (rule 32). The generic
 * "Progress note" (11506-3) and "Note" (34109-9) are left out: EHRs file discharge
 * summaries and reports under them, so their titles decide.
 */
export const CLINICAL_NOTE_LOINC: ReadonlySet<string> = new Set([
  '34117-2', // History and physical note
  '47039-3', // Inpatient admission history and physical note
  '11488-4', // Consult note
  '34111-5', // Emergency department note
  '34746-8', // Nurse note
  '51847-2', // Evaluation and plan note
  '57133-1', // Referral note
  '18761-7', // Transfer summary note
]);

/** Scanned or structured laboratory reports as documents (rule 31). */
export const LAB_REPORT_LOINC: ReadonlySet<string> = new Set([
  '11502-2', // Laboratory report
  '26436-6', // Laboratory studies (set)
]);

/** Vital signs (rule 32). */
export const VITAL_SIGN_LOINC: ReadonlySet<string> = new Set([
  '85353-1', '85354-9', '55284-4', '8480-6', '8462-4', '8478-0', '8867-4', '9279-1', '8310-5', '8331-1',
  '8302-2', '8306-3', '8308-9', '29463-7', '3141-9', '39156-5', '59576-9', '59408-5', '2708-6', '8287-5',
  '9843-4', '8289-1', '77606-2', '72514-3', '3150-0', '3151-8',
]);

/** LOINC "part" codes used as DiagnosticReport/DocumentReference categories. */
export const LOINC_CATEGORY_PARTS = {
  radiology: 'LP29684-5',
  cardiology: 'LP29708-2',
  pathology: 'LP7839-6',
  microbiology: 'LP7819-8',
} as const;
