// What a DiagnosticReport/Observation category says about the result.
// Sources: HL7 v2 table 0074 "Diagnostic Service Section ID"
// (terminology.hl7.org/CodeSystem/v2-0074), FHIR observation-category, LOINC parts
// used by US Core as report categories, and the plain words vendors put in local
// category codings (Epic "Imaging"/"Lab"/"Cardiology", Cerner "Radiology").

export type ResultKind = 'pathology' | 'imaging' | 'lab' | 'ekg' | 'pulmonary' | 'radiation' | 'note';

/** v2-0074 diagnostic service sections. Cardiology sections are split: images vs tracings. */
export const V2_0074_SECTIONS: Readonly<Record<string, ResultKind>> = {
  SP: 'pathology', // Surgical pathology
  CP: 'pathology', // Cytopathology
  PAT: 'pathology', // Pathology (gross & histopathology)
  GE: 'pathology', // Genetics — molecular and germline cancer tests (rules 5, 7)
  CG: 'pathology', // Cytogenetics
  RAD: 'imaging', // Radiology
  IMG: 'imaging', // Diagnostic imaging
  CT: 'imaging', // CAT scan
  NMR: 'imaging', // Nuclear magnetic resonance
  NMS: 'imaging', // Nuclear medicine scan
  RUS: 'imaging', // Radiology ultrasound
  VUS: 'imaging', // Vascular ultrasound
  OUS: 'imaging', // OB ultrasound
  CUS: 'imaging', // Cardiac ultrasound (echo)
  RX: 'imaging', // Radiograph
  XRC: 'imaging', // Cineradiograph
  CTH: 'imaging', // Cardiac catheterization (angiography)
  EC: 'ekg', // Electrocardiac (EKG, Holter)
  PF: 'pulmonary', // Pulmonary function
  RT: 'radiation', // Radiation therapy
  LAB: 'lab',
  CH: 'lab',
  HM: 'lab',
  IMM: 'lab',
  MB: 'lab',
  MCB: 'lab',
  MYC: 'lab',
  SR: 'lab',
  TX: 'lab',
  URN: 'lab',
  VR: 'lab',
  BG: 'lab',
  BLB: 'lab',
  OSL: 'lab', // Outside lab
  EN: 'lab', // Electroneuro (EEG, EMG): a test, not an image
  AU: 'lab', // Audiology
  PHY: 'note', // Physician (history, admission note…)
  NRS: 'note',
};

/** FHIR observation-category codes. */
export const OBSERVATION_CATEGORIES: Readonly<Record<string, ResultKind | 'not-a-test'>> = {
  laboratory: 'lab',
  imaging: 'imaging',
  'vital-signs': 'not-a-test',
  'social-history': 'not-a-test',
  survey: 'not-a-test',
  exam: 'not-a-test',
  therapy: 'not-a-test',
  activity: 'not-a-test',
  'sdoh': 'not-a-test',
  'functional-status': 'not-a-test',
  'disability-status': 'not-a-test',
  'cognitive-status': 'not-a-test',
};

/** Local category words (whole text of a category) → kind. */
export const CATEGORY_WORDS: ReadonlyArray<readonly [RegExp, ResultKind]> = [
  [/patholog|cytolog|histolog|genetic|molecular|genomic/, 'pathology'],
  [/radiology|imaging|radiolog|ultrasound|nuclear med|mammo/, 'imaging'],
  [/electrocardio|\bekg\b|\becg\b/, 'ekg'],
  [/pulmonary function/, 'pulmonary'],
  [/radiation (therapy|oncology)|radiotherapy/, 'radiation'],
  [/^lab\b|laborator|chemistry|hematology|microbiology|serology|urinalysis|blood bank|\blab\b/, 'lab'],
];
