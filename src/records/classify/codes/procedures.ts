// Procedure codes: CPT/HCPCS ranges, SNOMED CT procedure concepts and ICD-10-PCS sections.
// Sources: AMA CPT code set section ranges (Surgery 10004–69990, Radiology 70010–79999,
// Pathology and Laboratory 80047–89398, Medicine 90281–99607), CMS HCPCS Level II
// (J9000–J9999 chemotherapy drugs), SNOMED CT procedure hierarchy concepts, CMS
// ICD-10-PCS sections (0 medical-surgical, B imaging, C nuclear medicine, D radiation
// therapy, 3E0 administration).

export type ProcedureKind =
  | 'operation'
  | 'not-an-operation'
  | 'imaging'
  | 'radiation'
  | 'chemo-administration'
  | 'ekg'
  | 'pulmonary'
  | 'pathology'
  | 'tumor-marker'
  | 'lab'
  | 'vaccine';

export interface CodeRange {
  readonly from: number;
  readonly to: number;
  readonly kind: ProcedureKind;
  readonly what: string;
}

/** CPT ranges, most specific first: the first range that holds a code decides. */
export const CPT_RANGES: readonly CodeRange[] = [
  { from: 77261, to: 77799, kind: 'radiation', what: 'Radiation oncology: planning, physics, delivery, management, brachytherapy' },
  { from: 79005, to: 79999, kind: 'radiation', what: 'Radiopharmaceutical therapy' },
  { from: 70010, to: 79999, kind: 'imaging', what: 'Diagnostic radiology, ultrasound, mammography, bone density, nuclear medicine' },
  { from: 96523, to: 96523, kind: 'not-an-operation', what: 'Irrigation of implanted venous access device (port flush)' },
  { from: 96401, to: 96549, kind: 'chemo-administration', what: 'Chemotherapy and other highly complex drug administration' },
  { from: 93000, to: 93010, kind: 'ekg', what: 'Routine 12-lead ECG' },
  { from: 93015, to: 93018, kind: 'ekg', what: 'Cardiovascular stress test with ECG monitoring' },
  { from: 93040, to: 93042, kind: 'ekg', what: 'Rhythm ECG' },
  { from: 93224, to: 93278, kind: 'ekg', what: 'Ambulatory ECG, Holter and event monitoring' },
  { from: 93303, to: 93356, kind: 'imaging', what: 'Echocardiography' },
  { from: 93451, to: 93572, kind: 'imaging', what: 'Cardiac catheterization and angiography' },
  { from: 93880, to: 93998, kind: 'imaging', what: 'Noninvasive vascular diagnostic studies (duplex ultrasound)' },
  { from: 94010, to: 94621, kind: 'pulmonary', what: 'Pulmonary function testing' },
  { from: 94726, to: 94729, kind: 'pulmonary', what: 'Plethysmography, diffusing capacity' },
  { from: 82378, to: 82378, kind: 'tumor-marker', what: 'Carcinoembryonic antigen (CEA)' },
  { from: 86300, to: 86301, kind: 'tumor-marker', what: 'CA 15-3 / CA 27.29, CA 19-9' },
  { from: 86304, to: 86304, kind: 'tumor-marker', what: 'CA 125' },
  { from: 86316, to: 86316, kind: 'tumor-marker', what: 'Other tumor antigen immunoassay' },
  { from: 84152, to: 84154, kind: 'tumor-marker', what: 'Prostate specific antigen' },
  { from: 82105, to: 82105, kind: 'tumor-marker', what: 'Alpha-fetoprotein, serum' },
  { from: 83521, to: 83521, kind: 'tumor-marker', what: 'Immunoglobulin light chains (free light chains)' },
  { from: 84165, to: 84165, kind: 'tumor-marker', what: 'Serum protein electrophoresis (M-protein)' },
  { from: 86334, to: 86335, kind: 'tumor-marker', what: 'Immunofixation electrophoresis (M-protein)' },
  { from: 88104, to: 88199, kind: 'pathology', what: 'Cytopathology' },
  { from: 88230, to: 88299, kind: 'pathology', what: 'Cytogenetic studies' },
  { from: 88300, to: 88399, kind: 'pathology', what: 'Surgical pathology, immunohistochemistry, in situ hybridization' },
  { from: 81105, to: 81479, kind: 'pathology', what: 'Molecular pathology' },
  { from: 81490, to: 81599, kind: 'pathology', what: 'Multianalyte assays with algorithmic analyses' },
  { from: 80047, to: 89398, kind: 'lab', what: 'Other pathology and laboratory' },
  { from: 90476, to: 90759, kind: 'vaccine', what: 'Vaccine and toxoid products' },
  { from: 90460, to: 90474, kind: 'not-an-operation', what: 'Immunization administration' },
  // Inside the surgery section, but injections, blood draws and infusions are not operations (rule 11).
  { from: 11900, to: 11901, kind: 'not-an-operation', what: 'Intralesional injection' },
  { from: 11950, to: 11954, kind: 'not-an-operation', what: 'Subcutaneous filler injection' },
  { from: 20526, to: 20553, kind: 'not-an-operation', what: 'Therapeutic injections (tendon, trigger point)' },
  { from: 20600, to: 20611, kind: 'not-an-operation', what: 'Arthrocentesis and joint injection' },
  { from: 31500, to: 31502, kind: 'not-an-operation', what: 'Emergency intubation, tube change' },
  { from: 36000, to: 36015, kind: 'not-an-operation', what: 'Needle or catheter introduction into a vessel' },
  { from: 36400, to: 36522, kind: 'not-an-operation', what: 'Venipuncture, transfusion, apheresis, photopheresis' },
  { from: 36591, to: 36598, kind: 'not-an-operation', what: 'Blood draw from or flush/declot of an access device' },
  { from: 38240, to: 38243, kind: 'not-an-operation', what: 'Hematopoietic cell transplantation (an infusion)' },
  { from: 51701, to: 51703, kind: 'not-an-operation', what: 'Bladder catheter insertion' },
  { from: 62320, to: 62327, kind: 'not-an-operation', what: 'Epidural or intrathecal injection' },
  { from: 64400, to: 64530, kind: 'not-an-operation', what: 'Nerve block and facet joint injections' },
  { from: 69209, to: 69210, kind: 'not-an-operation', what: 'Removal of impacted cerumen' },
  { from: 10004, to: 69990, kind: 'operation', what: 'Surgery section' },
];

/** HCPCS Level II ranges: letter + number. */
export const HCPCS_RANGES: ReadonlyArray<CodeRange & { readonly letter: string }> = [
  { letter: 'J', from: 9000, to: 9999, kind: 'chemo-administration', what: 'Chemotherapy drugs' },
  { letter: 'G', from: 6001, to: 6017, kind: 'radiation', what: 'Radiation treatment delivery and guidance' },
  { letter: 'G', from: 121, to: 121, kind: 'operation', what: 'Screening colonoscopy' },
  { letter: 'G', from: 105, to: 105, kind: 'operation', what: 'Screening colonoscopy, high risk' },
];

/** SNOMED CT procedure concepts (with their descendants' common codes) by kind. */
export const SNOMED_PROCEDURES: Readonly<Record<string, ProcedureKind>> = {
  '387713003': 'operation', // Surgical procedure (also used as Procedure.category)
  '73761001': 'operation', // Colonoscopy
  '10847001': 'operation', // Bronchoscopy
  '86273004': 'operation', // Biopsy
  '65801008': 'operation', // Excision
  '392021009': 'operation', // Lumpectomy of breast
  '396487001': 'operation', // Sentinel lymph node biopsy
  '43075005': 'operation', // Partial resection of colon
  '173171007': 'operation', // Lobectomy of lung
  '367336001': 'chemo-administration', // Chemotherapy
  '266719004': 'chemo-administration', // Oral chemotherapy
  '76334006': 'chemo-administration', // Immunotherapy
  '363679005': 'imaging', // Imaging
  '77477000': 'imaging', // Computed tomography
  '113091000': 'imaging', // Magnetic resonance imaging
  '16310003': 'imaging', // Ultrasonography
  '82918005': 'imaging', // Positron emission tomography
  '71651007': 'imaging', // Mammography
  '24623002': 'imaging', // Screening mammography
  '168537006': 'imaging', // Plain radiography
  '363680008': 'imaging', // Radiographic imaging procedure
  '40701008': 'imaging', // Echocardiography
  '433236007': 'imaging', // Transthoracic echocardiography
  '418891003': 'imaging', // CT of chest and abdomen
  '312681000': 'imaging', // Bone densitometry
  '29303009': 'ekg', // Electrocardiographic procedure
  '268400002': 'ekg', // 12 lead ECG
  '23426006': 'pulmonary', // Measurement of respiratory function
  '127783003': 'pulmonary', // Spirometry
};

/** ICD-10-PCS: the first character is the section. */
export const ICD10_PCS_SECTIONS: Readonly<Record<string, ProcedureKind>> = {
  '0': 'operation', // Medical and surgical
  B: 'imaging',
  C: 'imaging', // Nuclear medicine (therapy, CW7, is handled as radiation below)
  D: 'radiation',
};

/** ICD-10-PCS prefixes that refine a section. */
export const ICD10_PCS_PREFIXES: ReadonlyArray<readonly [RegExp, ProcedureKind]> = [
  [/^CW7/, 'radiation'], // Systemic nuclear medicine therapy
  [/^3E0.{2}0/, 'chemo-administration'], // Introduction of antineoplastic substance
];
