import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_IDS, type CategoryId } from '../../../src/records/categories.js';
import { CLASSIFIER_RULES_VERSION, classify, isCancerMedicine } from '../../../src/records/classify/index.js';
import { rulesVersionOf } from '../../../src/records/classify/version.js';

// Builders for small synthetic resources. Codes are real standard codes; local systems
// and wordings are made up for these tests (none is taken from the dev corpus).
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CPT = 'http://www.ama-assn.org/go/cpt';
const HCPCS = 'urn:oid:2.16.840.1.113883.6.285';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const PCS = 'http://www.cms.gov/Medicare/Coding/ICD10';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const LOCAL = 'https://ehr.example.org/codes/local';

type Json = Record<string, unknown>;

function coded(system: string, code: string, display?: string, text?: string): Json {
  return { coding: [{ system, code, ...(display ? { display } : {}) }], ...(text ? { text } : {}) };
}

function textOnly(text: string): Json {
  return { text };
}

function observationCategory(code: string): Json[] {
  return [coded(OBS_CATEGORY, code)];
}

function condition(code: Json, extra: Json = {}): Json {
  return {
    resourceType: 'Condition',
    id: 'cond',
    clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
    verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
    code,
    ...extra,
  };
}

function observation(code: Json, category?: Json[], extra: Json = {}): Json {
  return { resourceType: 'Observation', id: 'obs', status: 'final', code, ...(category ? { category } : {}), ...extra };
}

function report(code: Json, category?: Json[], extra: Json = {}): Json {
  return { resourceType: 'DiagnosticReport', id: 'dr', status: 'final', code, ...(category ? { category } : {}), ...extra };
}

function document(type: Json, extra: Json = {}): Json {
  return {
    resourceType: 'DocumentReference',
    id: 'doc',
    status: 'current',
    docStatus: 'final',
    type,
    category: [coded('http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', 'clinical-note')],
    ...extra,
  };
}

function procedure(code: Json, extra: Json = {}): Json {
  return { resourceType: 'Procedure', id: 'proc', status: 'completed', code, ...extra };
}

function encounter(classCode: string | undefined, extra: Json = {}): Json {
  return {
    resourceType: 'Encounter',
    id: 'enc',
    status: 'finished',
    ...(classCode ? { class: { system: ACT_CODE, code: classCode } } : {}),
    ...extra,
  };
}

function medicationRequest(medication: Json, status: string, extra: Json = {}): Json {
  return { resourceType: 'MedicationRequest', id: 'mr', status, intent: 'order', medicationCodeableConcept: medication, ...extra };
}

function dosage(text: string, route?: string, extra: Json = {}): Json[] {
  return [{ text, ...(route ? { route: textOnly(route) } : {}), ...extra }];
}

type Case = readonly [name: string, resource: Json, expected: CategoryId[]];

function expectCases(cases: readonly Case[]): void {
  it.each(cases)('%s', (_name, resource, expected) => {
    expect(classify(resource)).toEqual(expected);
  });
}

const LAB = observationCategory('laboratory');
const LAB_REPORT = [coded(V2_0074, 'LAB', 'Laboratory')];

describe('pathology reports (rules 5–7, 12)', () => {
  expectCases([
    ['a Cerner-style report with only a local code and a pathology title', report({ coding: [{ system: LOCAL, code: '555001', display: 'Surgical Pathology Final Report' }], text: 'Surgical Pathology Final Report' }, LAB_REPORT), ['pathology-reports']],
    ['a report coded LOINC 11529-5 without any text', report(coded(LOINC, '11529-5')), ['pathology-reports']],
    ['a report in the v2 surgical-pathology section', report(textOnly('Specimen report'), [coded(V2_0074, 'SP')]), ['pathology-reports']],
    ['a bone marrow biopsy result filed as a lab report', report(textOnly('Bone Marrow Aspirate and Core Biopsy'), LAB_REPORT), ['pathology-reports']],
    ['a tumour genomic profiling report', report(textOnly('FoundationOne CDx genomic profile'), LAB_REPORT), ['pathology-reports']],
    ['a non-gynecologic cytology report', report(textOnly('Cytology, non-gyn: pleural fluid'), LAB_REPORT), ['pathology-reports']],
    ['a PSA result, a blood tumour marker', observation(coded(LOINC, '2857-1', 'Prostate specific Ag'), LAB), ['pathology-reports']],
    ['a CA 27.29 result with only a local code', observation({ coding: [{ system: LOCAL, code: 'X1' }], text: 'CA 27.29' }, LAB), ['pathology-reports']],
    ['a KRAS mutation result named in text', observation(textOnly('KRAS mutation analysis, tumor'), LAB), ['pathology-reports']],
    ['serum free kappa light chains (myeloma marker)', observation(textOnly('Kappa free light chains, serum'), LAB), ['pathology-reports']],
    ['a PD-L1 tumour proportion score', observation(textOnly('PD-L1 (22C3) tumor proportion score'), LAB), ['pathology-reports']],
    ['a pathology report document', document(textOnly('Pathology Report')), ['pathology-reports']],
    ['alkaline phosphatase ("Alk Phos") is a lab test, not an ALK marker', observation(textOnly('Alk Phos'), LAB), ['health-history-tests']],
    ['eGFR is a kidney test, not an EGFR mutation', observation(textOnly('eGFR (CKD-EPI)'), LAB), ['health-history-tests']],
  ]);
});

describe('imaging results (rules 8–9)', () => {
  expectCases([
    ['an MRI report in the radiology section', report(textOnly('MRI Brain w/wo contrast'), [coded(V2_0074, 'RAD')]), ['imaging-results']],
    ['an uncategorised report titled with a modality abbreviation', report({ coding: [{ system: LOCAL, code: 'US100' }], text: 'US ABDOMEN COMPLETE' }), ['imaging-results']],
    ['an imaging study of any modality', { resourceType: 'ImagingStudy', id: 'is', status: 'available', modality: [{ code: 'MR' }] }, ['imaging-results']],
    ['a cancelled imaging study', { resourceType: 'ImagingStudy', id: 'is', status: 'cancelled' }, []],
    ['a completed mammography procedure', procedure(coded(SNOMED, '71651007', 'Mammography')), ['imaging-results']],
    ['a bone density document', document(textOnly('DXA Bone Density Study')), ['imaging-results']],
    ['an observation in the imaging category', observation(textOnly('BI-RADS assessment category'), observationCategory('imaging')), ['imaging-results']],
    ['a nuclear stress test is imaging, though about the heart', report(textOnly('Myocardial perfusion SPECT, pharmacologic stress'), [coded(LOCAL, 'CARD', 'Cardiology')]), ['imaging-results']],
    ['an echocardiogram CPT-coded report', report(coded(CPT, '93306', 'Echocardiography, transthoracic')), ['imaging-results']],
    ['a platelet count ("Plt Ct") is not a CT scan', observation(textOnly('Plt Ct'), LAB), ['health-history-tests']],
  ]);
});

describe('operation reports (rules 10–12)', () => {
  expectCases([
    ['a mastectomy coded in the CPT surgery range', procedure(coded(CPT, '19303', 'Mastectomy, simple, complete')), ['operation-reports']],
    ['a text-only robotic prostatectomy', procedure(textOnly('Robotic-assisted laparoscopic radical prostatectomy')), ['operation-reports']],
    ['an ultrasound-guided core needle biopsy', procedure(textOnly('Ultrasound-guided core needle biopsy, left breast')), ['operation-reports']],
    ['an EGD with biopsy', procedure(textOnly('EGD with biopsy')), ['operation-reports']],
    ['a screening colonoscopy', procedure(textOnly('Colonoscopy, screening')), ['operation-reports']],
    ['a PICC line insertion', procedure(textOnly('Insertion of PICC line')), ['operation-reports']],
    ['an ICD-10-PCS coded sigmoid resection', procedure(coded(PCS, '0DTN0ZZ')), ['operation-reports']],
    ['a knee joint injection in the surgery CPT range', procedure(coded(CPT, '20610', 'Arthrocentesis, major joint')), []],
    ['a venipuncture', procedure(textOnly('Venipuncture for blood draw')), []],
    ['a blood transfusion', procedure(textOnly('Transfusion of packed red blood cells')), []],
    ['a depression screening', procedure(coded(SNOMED, '171207006', 'Depression screening (procedure)')), []],
    ['a procedure note for a bone marrow biopsy', document(coded(LOINC, '28570-0', 'Procedure note', 'Procedure Note - Bone Marrow Biopsy')), ['operation-reports']],
    ['a procedure note for a joint injection', document(coded(LOINC, '28570-0', 'Procedure note', 'Procedure note: knee joint injection')), []],
    ['an operative note with a local code only', document({ coding: [{ system: LOCAL, code: 'OPN' }], text: 'Brief Op Note' }), ['operation-reports']],
    ['a not-done operation', procedure(coded(CPT, '44140', 'Colectomy, partial'), { status: 'not-done' }), []],
    ['a kyphoplasty that mentions a cement injection', procedure(textOnly('Kyphoplasty L1 with cement injection')), ['operation-reports']],
    ['a dialysis catheter insertion', procedure(textOnly('Hemodialysis catheter insertion')), ['operation-reports']],
    ['an irrigation and debridement', procedure(textOnly('Irrigation and debridement of wound')), ['operation-reports']],
    ['an ultrasound-guided joint injection is neither an operation nor an imaging exam', procedure(textOnly('Ultrasound-guided injection, right shoulder')), []],
    ['text-only teleradiotherapy', procedure(textOnly('Teleradiotherapy procedure (procedure)')), ['radiation-treatment-summary']],
  ]);
});

describe('discharge summaries (rules 13–14)', () => {
  expectCases([
    ['a discharge summary coded 18842-5', document(coded(LOINC, '18842-5', 'Discharge summary')), ['discharge-summaries']],
    ['a scanned outside discharge summary', document({ coding: [{ system: LOCAL, code: 'SCAN' }], text: 'Scanned Document' }, { content: [{ attachment: { title: 'Outside Hospital Discharge Summary.pdf' } }] }), ['discharge-summaries']],
    ['a discharge summary Composition', { resourceType: 'Composition', id: 'c', status: 'final', type: coded(LOINC, '18842-5'), title: 'Discharge Summary' }, ['discharge-summaries']],
    ['a progress note titled as discharge instructions', document(coded(LOINC, '11506-3', 'Progress note', 'ED Discharge Instructions')), ['discharge-summaries']],
    ['a finished inpatient stay', encounter('IMP'), ['discharge-summaries']],
    ['a finished observation stay', encounter('OBSENC'), ['discharge-summaries']],
    ['an emergency visit (class EMER)', encounter('EMER', { hospitalization: { dischargeDisposition: textOnly('Home') } }), []],
    ['an inpatient admission still in progress', encounter('IMP', { status: 'in-progress' }), []],
    ['an ambulatory visit typed "Hospital Encounter"', encounter('AMB', { type: [textOnly('Hospital Encounter')] }), []],
    ['a short-stay (same-day) encounter', encounter('SS'), []],
    ['an encounter without class typed as an inpatient admission', encounter(undefined, { type: [textOnly('Inpatient Admission')] }), ['discharge-summaries']],
    ['a cancelled inpatient encounter', encounter('IMP', { status: 'cancelled' }), []],
  ]);
});

describe('medication treatment summary and medicines list (rules 15–18, 27–29)', () => {
  expectCases([
    ['oral capecitabine, active: both medication categories', medicationRequest(textOnly('capecitabine 500 mg tablet'), 'active', { dosageInstruction: dosage('Take 3 tablets by mouth twice daily, days 1-14', 'Oral') }), ['medication-treatment-summary', 'medicines-and-supplements']],
    ['capecitabine, completed: treatment only', medicationRequest(textOnly('Xeloda 150 mg tablet'), 'completed'), ['medication-treatment-summary']],
    ['weekly low-dose methotrexate for rheumatoid arthritis', medicationRequest(coded(RXNORM, '105586', 'methotrexate 2.5 MG Oral Tablet'), 'active', { dosageInstruction: dosage('Take 6 tablets (15 mg) by mouth once weekly', 'Oral'), reasonCode: [coded(ICD10, 'M06.9', 'Rheumatoid arthritis, unspecified')] }), ['medicines-and-supplements']],
    ['weekly low-dose methotrexate without a reason', medicationRequest(textOnly('methotrexate 2.5 mg tablet'), 'active', { dosageInstruction: [{ text: '15 mg weekly', doseAndRate: [{ doseQuantity: { value: 15, unit: 'mg' } }] }] }), ['medicines-and-supplements']],
    ['high-dose IV methotrexate for leukemia', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('methotrexate 5 g/m2 in sodium chloride IV'), dosage: { route: textOnly('Intravenous') } }, ['medication-treatment-summary']],
    ['intravitreal bevacizumab for macular degeneration', medicationRequest(textOnly('bevacizumab 1.25 mg intravitreal injection'), 'completed', { reasonCode: [textOnly('Neovascular age-related macular degeneration')] }), []],
    ['an active IV immunotherapy order is not a home medicine', medicationRequest(coded(RXNORM, '1547545', 'pembrolizumab'), 'active', { dosageInstruction: dosage('200 mg IV every 3 weeks', 'Intravenous') }), ['medication-treatment-summary']],
    ['tamoxifen the patient reports taking', { resourceType: 'MedicationStatement', id: 'ms', status: 'active', medicationCodeableConcept: textOnly('tamoxifen 20 mg tablet') }, ['medication-treatment-summary', 'medicines-and-supplements']],
    ['letrozole for infertility is not cancer treatment', medicationRequest(textOnly('letrozole 2.5 mg tablet'), 'active', { reasonCode: [textOnly('Female infertility')] }), ['medicines-and-supplements']],
    ['dexamethasone as part of a myeloma regimen', medicationRequest(textOnly('dexamethasone 4 mg tablet'), 'completed', { dosageInstruction: dosage('40 mg by mouth on days 1, 8, 15, 22 (VRd)') }), ['medication-treatment-summary']],
    ['dexamethasone as a premedication', medicationRequest(textOnly('dexamethasone 12 mg IVPB'), 'completed', { dosageInstruction: dosage('Premedication 30 minutes before paclitaxel') }), []],
    ['prednisone taken with abiraterone', medicationRequest(textOnly('prednisone 5 mg tablet'), 'active', { dosageInstruction: dosage('5 mg by mouth twice daily with abiraterone', 'Oral') }), ['medication-treatment-summary', 'medicines-and-supplements']],
    ['an antiemetic at home', medicationRequest(coded(RXNORM, '26225', 'ondansetron'), 'active', { dosageInstruction: dosage('8 mg by mouth every 8 hours as needed for nausea', 'Oral') }), ['medicines-and-supplements']],
    ['an IV bone agent given in clinic', medicationRequest(textOnly('zoledronic acid 4 mg in sodium chloride 100 mL IVPB'), 'active'), []],
    ['leuprolide depot injection given', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('leuprolide acetate 22.5 mg depot injection') }, ['medication-treatment-summary']],
    ['a Non-VA supplement', medicationRequest(textOnly('Non-VA: fish oil 1000 mg capsule'), 'active', { reportedBoolean: true }), ['medicines-and-supplements']],
    ['a regimen named only by its acronym', medicationRequest(textOnly('FOLFOX cycle 4'), 'completed'), ['medication-treatment-summary']],
    ['an on-hold home medicine', medicationRequest(textOnly('lisinopril 10 mg tablet'), 'on-hold'), ['medicines-and-supplements']],
    ['a stopped home medicine', medicationRequest(textOnly('lisinopril 10 mg tablet'), 'stopped'), []],
    ['an inpatient order', medicationRequest(textOnly('enoxaparin 40 mg syringe'), 'active', { category: [coded('http://terminology.hl7.org/CodeSystem/medicationrequest-category', 'inpatient')] }), []],
    ['glucose test strips are supplies, not medicines', medicationRequest(textOnly('blood glucose test strips'), 'active'), []],
    ['a cancelled chemotherapy order', medicationRequest(textOnly('carboplatin'), 'cancelled'), []],
    ['a draft chemotherapy order', medicationRequest(textOnly('carboplatin'), 'draft'), []],
    ['a statement of a medicine not taken', { resourceType: 'MedicationStatement', id: 'ms', status: 'not-taken', medicationCodeableConcept: textOnly('anastrozole 1 mg') }, []],
    ['an intended medicine statement', { resourceType: 'MedicationStatement', id: 'ms', status: 'intended', medicationCodeableConcept: textOnly('vitamin D3 2000 unit') }, ['medicines-and-supplements']],
    ['a medication referenced from a contained Medication', { resourceType: 'MedicationRequest', id: 'mr', status: 'completed', intent: 'order', contained: [{ resourceType: 'Medication', id: 'm1', code: coded(RXNORM, '72962') }], medicationReference: { reference: '#m1' } }, ['medication-treatment-summary']],
    ['a chemotherapy infusion coded CPT 96413', procedure(coded(CPT, '96413', 'Chemotherapy administration, IV infusion, up to 1 hour')), ['medication-treatment-summary']],
    ['chemotherapy coded SNOMED 367336001', procedure(coded(SNOMED, '367336001', 'Chemotherapy (procedure)')), ['medication-treatment-summary']],
    ['a chemotherapy drug coded HCPCS J9045 (carboplatin)', procedure(coded(HCPCS, 'J9045')), ['medication-treatment-summary']],
    ['chemotherapy education is not treatment', procedure(textOnly('Chemotherapy education')), []],
    ['a line placed for chemotherapy is an operation', procedure(textOnly('Insertion of central venous catheter for chemotherapy')), ['operation-reports']],
    ['a cancer drug infusion recorded as a procedure', procedure(textOnly('Cisplatin infusion')), ['medication-treatment-summary']],
    ['a procedure coded only by the drug given', procedure(coded(RXNORM, '40048')), ['medication-treatment-summary']],
    ['a port flush is not chemotherapy', procedure(coded(CPT, '96523', 'Irrigation of implanted venous access device')), []],
  ]);
});

describe('radiation treatment summary (rule 19)', () => {
  expectCases([
    ['IMRT delivery coded CPT 77385', procedure(coded(CPT, '77385')), ['radiation-treatment-summary']],
    ['text-only SBRT', procedure(textOnly('SBRT right lung 50 Gy in 5 fractions')), ['radiation-treatment-summary']],
    ['stereotactic radiosurgery is radiation, not surgery', procedure(textOnly('Stereotactic radiosurgery (SRS), brain metastasis')), ['radiation-treatment-summary']],
    ['radiation delivery coded HCPCS G6015', procedure(coded(HCPCS, 'G6015')), ['radiation-treatment-summary']],
    ['brachytherapy by SNOMED', procedure(coded(SNOMED, '152198000', 'Brachytherapy (procedure)')), ['radiation-treatment-summary']],
    ['a progress note titled as an RT completion summary', document(coded(LOINC, '11506-3', 'Progress note', 'Radiation Therapy Completion Summary')), ['radiation-treatment-summary']],
    ['a report in the v2 radiation-therapy section', report(textOnly('Treatment record'), [coded(V2_0074, 'RT')]), ['radiation-treatment-summary']],
    ['a radiation oncology consultation is not treatment', procedure(textOnly('Radiation oncology consultation')), []],
  ]);
});

describe('treatment side effects and health problems (rules 20–26)', () => {
  expectCases([
    ['hormone-therapy adverse effect code T38.6X5A', condition({ coding: [{ system: ICD10, code: 'M25.50' }, { system: ICD10, code: 'T38.6X5A' }], text: 'Arthralgia' }), ['treatment-side-effects', 'health-problems']],
    ['radiation pneumonitis in text only', condition(textOnly('Radiation pneumonitis')), ['treatment-side-effects', 'health-problems']],
    ['lymphedema after mastectomy', condition(textOnly('Lymphedema of left arm after left mastectomy')), ['treatment-side-effects', 'health-problems']],
    ['hypothyroidism blamed on a checkpoint inhibitor by name', condition(textOnly('Hypothyroidism due to pembrolizumab')), ['treatment-side-effects', 'health-problems']],
    ['febrile neutropenia', condition(coded(SNOMED, '409089005', 'Febrile neutropenia')), ['treatment-side-effects', 'health-problems']],
    ['oral mucositis due to antineoplastic therapy (K12.31)', condition(coded(ICD10, 'K12.31')), ['treatment-side-effects', 'health-problems']],
    ['a fracture caused by the cancer itself', condition(textOnly('Pathological fracture due to metastatic breast cancer')), ['health-problems']],
    ['anemia in neoplastic disease', condition(coded(ICD10, 'D63.0', 'Anemia in neoplastic disease')), ['health-problems']],
    ['status after mastectomy is history, not a side effect', condition(coded(ICD10, 'Z90.11', 'Acquired absence of right breast and nipple', 'Status post right mastectomy')), ['health-problems']],
    ['personal history of chemotherapy', condition(coded(ICD10, 'Z92.21', 'Personal history of antineoplastic chemotherapy')), ['health-problems']],
    ['the cancer itself', condition(coded(ICD10, 'C61', 'Malignant neoplasm of prostate')), ['health-problems']],
    ['a health concern', condition(textOnly('Fatigue'), { category: [coded('http://hl7.org/fhir/us/core/CodeSystem/condition-category', 'health-concern')] }), ['health-problems']],
    ['an entered-in-error condition', condition(textOnly('Hypertension'), { verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'entered-in-error') }), []],
    ['a refuted condition', condition(textOnly('Pulmonary embolism'), { verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'refuted') }), []],
    ['an encounter for immunotherapy (Z51.12)', condition(coded(ICD10, 'Z51.12', 'Encounter for antineoplastic immunotherapy')), []],
    ['a routine adult exam (Z00.00)', condition(coded(ICD10, 'Z00.00')), []],
    ['homelessness (Z59.0)', condition(coded(ICD10, 'Z59.00', 'Homelessness')), []],
    ['a social finding without ICD code', condition(coded(SNOMED, '741062008', 'Not in labor force (finding)')), []],
    ['a social finding coded by SNOMED only', condition(coded(SNOMED, '73438004')), []],
    ['a relative’s cancer recorded on the patient’s list', condition(textOnly('Family history of ovarian cancer')), []],
    ['an allergy to carboplatin coded by RxNorm only', { resourceType: 'AllergyIntolerance', id: 'a', code: coded(RXNORM, '40048') }, ['treatment-side-effects']],
    ['an allergy to a drug class of cancer treatment', { resourceType: 'AllergyIntolerance', id: 'a', code: textOnly('Aromatase inhibitors') }, ['treatment-side-effects']],
    ['an allergy to contrast dye', { resourceType: 'AllergyIntolerance', id: 'a', code: textOnly('Iodinated contrast media') }, []],
    ['a refuted allergy to a chemo drug', { resourceType: 'AllergyIntolerance', id: 'a', code: textOnly('oxaliplatin'), verificationStatus: coded('http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'refuted') }, []],
    ['an actual adverse event', { resourceType: 'AdverseEvent', id: 'ae', actuality: 'actual', event: textOnly('Grade 2 diarrhea') }, ['treatment-side-effects']],
    ['a near-miss adverse event', { resourceType: 'AdverseEvent', id: 'ae', actuality: 'potential', event: textOnly('Wrong dose caught before administration') }, []],
    ['a CTCAE toxicity grading', observation(textOnly('Peripheral sensory neuropathy (CTCAE v5.0) grade'), observationCategory('survey'), { valueInteger: 1 }), ['treatment-side-effects']],
  ]);
});

describe('staging and assessments (rule 25)', () => {
  expectCases([
    ['a pathologic stage group', observation(coded(LOINC, '21902-2')), ['health-problems']],
    ['a stage described in text', observation(textOnly('AJCC clinical stage group')), ['health-problems']],
    ['response to cancer treatment', observation(coded(LOINC, '88040-1')), ['health-problems']],
    ['an ECOG performance status', observation(coded(LOINC, '89247-1'), observationCategory('survey')), []],
  ]);
});

describe('vaccines (rule 30)', () => {
  expectCases([
    ['a completed immunization with a local code only', { resourceType: 'Immunization', id: 'i', status: 'completed', vaccineCode: { coding: [{ system: LOCAL, code: 'FLU' }], text: 'Flu shot' } }, ['vaccines']],
    ['a not-done immunization', { resourceType: 'Immunization', id: 'i', status: 'not-done', vaccineCode: coded(CVX, '187') }, []],
    ['an entered-in-error immunization', { resourceType: 'Immunization', id: 'i', status: 'entered-in-error', vaccineCode: coded(CVX, '140') }, []],
    ['a vaccine given as a medication administration', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: coded(CVX, '33', 'pneumococcal polysaccharide vaccine, 23 valent') }, ['vaccines']],
    ['a vaccine order', medicationRequest(textOnly('Shingrix (zoster vaccine recombinant) injection'), 'active'), []],
  ]);
});

describe('health-history tests (rules 31–32)', () => {
  expectCases([
    ['hemoglobin A1c', observation(coded(LOINC, '4548-4', 'Hemoglobin A1c'), LAB), ['health-history-tests']],
    ['a metabolic panel report', report(textOnly('Comprehensive Metabolic Panel'), LAB_REPORT), ['health-history-tests']],
    ['an EKG interpretation observation', observation(coded(LOINC, '8601-7', 'EKG impression')), ['health-history-tests']],
    ['an EKG document', document(coded(LOINC, '11524-6', 'EKG study')), ['health-history-tests']],
    ['an EKG procedure', procedure(textOnly('Electrocardiogram, 12-lead')), ['health-history-tests']],
    ['a pulmonary function report', report(textOnly('Pulmonary Function Test, complete')), ['health-history-tests']],
    ['a urine culture in the microbiology section', report(textOnly('Urine culture'), [coded(V2_0074, 'MB')]), ['health-history-tests']],
    ['a stool occult blood test', report(textOnly('Fecal immunochemical test (FIT) occult blood'), LAB_REPORT), ['health-history-tests']],
    ['a lab observation sent without a category', observation(textOnly('Hemoglobin A1c')), ['health-history-tests']],
    ['blood pressure is a vital sign', observation(coded(LOINC, '85354-9', 'Blood pressure panel'), observationCategory('vital-signs')), []],
    ['smoking status is social history', observation(coded(LOINC, '72166-2'), observationCategory('social-history')), []],
    ['a PHQ-9 survey', observation(coded(LOINC, '44261-6', 'PHQ-9 total score'), observationCategory('survey')), []],
    ['a history and physical note', document(coded(LOINC, '34117-2', 'History and physical note')), []],
    ['a consult note', document(textOnly('Oncology Consult Note')), []],
    ['a scanned outside lab report', document(textOnly('Outside Lab Results')), ['health-history-tests']],
  ]);
});

describe('records that belong nowhere (rules 2–3)', () => {
  expectCases([
    ['a patient', { resourceType: 'Patient', id: 'p' }, []],
    ['a practitioner', { resourceType: 'Practitioner', id: 'p' }, []],
    ['an order for chemotherapy (an order is not a result)', { resourceType: 'ServiceRequest', id: 's', status: 'active', code: coded(CPT, '96413') }, []],
    ['a care plan', { resourceType: 'CarePlan', id: 'c', status: 'active' }, []],
    ['a relative’s cancer', { resourceType: 'FamilyMemberHistory', id: 'f', condition: [{ code: textOnly('Breast cancer') }] }, []],
    ['a claim', { resourceType: 'Claim', id: 'c', item: [{ productOrService: coded(SNOMED, '367336001') }] }, []],
    ['a CCD', document(coded(LOINC, '34133-9', 'Summary of episode note')), []],
    ['a "Clinical Summary" document', document(textOnly('Clinical Summary')), []],
    ['an entered-in-error document', document(coded(LOINC, '18842-5'), { docStatus: 'entered-in-error' }), []],
  ]);
});

describe('wordings and codings from other EHR styles', () => {
  expectCases([
    ['a germline panel filed as an outside-records document', document(textOnly('Outside Records'), { description: 'Invitae Multi-Cancer Panel Results' }), ['pathology-reports']],
    ['concurrent chemoradiation is both treatments', procedure(coded(SNOMED, '703423002', 'Combined chemotherapy and radiation therapy (procedure)')), ['medication-treatment-summary', 'radiation-treatment-summary']],
    ['allergy shots are not cancer immunotherapy', procedure(textOnly('Subcutaneous immunotherapy (procedure)')), []],
    ['arthralgia the record blames on an aromatase inhibitor', condition(textOnly('Arthralgia (aromatase inhibitor-induced)')), ['treatment-side-effects', 'health-problems']],
    ['hearing loss after a named platinum drug', condition(textOnly('Hearing loss after cisplatin')), ['treatment-side-effects', 'health-problems']],
    ['an infected port', condition(textOnly('Port-a-cath infection')), ['treatment-side-effects', 'health-problems']],
    ['a "postprocedural state" status code is not a complication', condition(coded(ICD10, 'Z98.890', 'Other specified postprocedural states')), ['health-problems']],
    ['steroid-induced hyperglycemia (steroids are not cancer treatment by default)', condition(textOnly('Steroid-induced hyperglycemia')), ['health-problems']],
    ['a clot caused by the cancer', condition(textOnly('Deep vein thrombosis associated with malignancy')), ['health-problems']],
    ['exposure to a communicable disease (Z20)', condition(coded(ICD10, 'Z20.822')), []],
    ['a condition known only from its narrative', { resourceType: 'Condition', id: 'c', text: { status: 'generated', div: '<div><p>Problem: <b>Chronic kidney disease, stage 3</b></p></div>' } }, ['health-problems']],
    ['an Epic-style "Procedures" note about a biopsy', document(textOnly('Procedures'), { content: [{ attachment: { title: 'Bone marrow biopsy' } }] }), ['operation-reports']],
    ['an image-guided biopsy document', document(textOnly('IR Procedure: CT-guided liver biopsy')), ['operation-reports']],
    ['a cystoscopy report', document(textOnly('Cystoscopy Report')), ['operation-reports']],
    ['pathology on endoscopic biopsies is pathology', report(textOnly('Surgical pathology - colonoscopy biopsies')), ['pathology-reports']],
    ['a chest CT named with the abbreviation last', report(textOnly('Chest CT without contrast')), ['imaging-results']],
    ['a CT recorded as a procedure', procedure(textOnly('CT ABDOMEN PELVIS W CONTRAST')), ['imaging-results']],
    ['a Holter report under cardiology', report(textOnly('Holter Monitor 24 hr'), [textOnly('Cardiology')]), ['health-history-tests']],
    ['a stress echo under cardiology', report(textOnly('Stress Echocardiogram'), [textOnly('Cardiology')]), ['imaging-results']],
    ['leukemia/lymphoma flow cytometry', report(textOnly('Flow Cytometry Leukemia/Lymphoma Panel'), [textOnly('Lab')]), ['pathology-reports']],
    ['a hepatitis B antigen is not a cancer antigen', report(textOnly('Hepatitis B surface antigen'), [textOnly('Lab')]), ['health-history-tests']],
    ['leuprolide for endometriosis', medicationRequest(textOnly('Lupron Depot 3.75 mg'), 'completed', { reasonCode: [textOnly('Endometriosis')] }), []],
    ['rituximab for rheumatoid arthritis (ICD reason)', medicationRequest(textOnly('rituximab 1000 mg IV'), 'completed', { reasonCode: [coded(ICD10, 'M05.79')] }), []],
    ['rituximab for lymphoma', medicationRequest(textOnly('rituximab 375 mg/m2 IV'), 'completed', { reasonCode: [textOnly('Follicular lymphoma')] }), ['medication-treatment-summary']],
    ['methotrexate for an ectopic pregnancy', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('methotrexate 50 mg/m2 IM'), reasonCode: [textOnly('Ectopic pregnancy')] }, []],
    ['intrathecal methotrexate', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('methotrexate 12 mg intrathecal') }, ['medication-treatment-summary']],
    ['numbing cream for the port is a home medicine, not chemo', medicationRequest(textOnly('lidocaine-prilocaine 2.5-2.5 % cream'), 'active', { dosageInstruction: dosage('Apply to port site 1 hour before chemo') }), ['medicines-and-supplements']],
    ['an active injectable chemo order (Synthea style) is not a home medicine', medicationRequest(coded(RXNORM, '1734919', 'Cyclophosphamide 1000 MG Injection'), 'active'), ['medication-treatment-summary']],
    ['intravesical BCG is cancer treatment', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('BCG live (TICE) intravesical 50 mg') }, ['medication-treatment-summary']],
    ['BCG as a vaccine', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('BCG vaccine percutaneous') }, ['vaccines']],
    ['G-CSF given in clinic is supportive care', { resourceType: 'MedicationAdministration', id: 'ma', status: 'completed', medicationCodeableConcept: textOnly('pegfilgrastim 6 mg/0.6 mL syringe') }, []],
    ['an encounter with a local inpatient class', encounter(undefined, { class: { system: LOCAL, code: '1', display: 'Inpatient' } }), ['discharge-summaries']],
    ['an encounter with a local emergency class', encounter(undefined, { class: { system: LOCAL, code: '3', display: 'Emergency' } }), []],
    ['a radiation oncology consult note', document(textOnly('Radiation Oncology Consult')), []],
    ['a chemotherapy treatment summary document', document(textOnly('Chemotherapy Treatment Summary')), ['medication-treatment-summary']],
    ['an after visit summary', document(textOnly('After Visit Summary')), []],
    ['stem cell infusion is not an operation', procedure(textOnly('Autologous hematopoietic stem cell transplant')), []],
    ['a scheduled operation that has not started', procedure(textOnly('Right hemicolectomy'), { status: 'preparation' }), []],
    ['a progress note that mentions a CT is still a note', document(coded(LOINC, '11506-3', 'Progress note', 'Progress Note - CT reviewed with patient')), []],
    ['a generic "Note" titled as an echo report', document(coded(LOINC, '34109-9', 'Note'), { content: [{ attachment: { title: 'Echocardiogram Report' } }] }), ['imaging-results']],
    ['an end-of-radiation note', document(textOnly('End of Radiation Treatment Note')), ['radiation-treatment-summary']],
    ['a radiation simulation note', document(textOnly('Radiation Oncology Simulation Note')), ['radiation-treatment-summary']],
    ['an active antibody order without a route is given in clinic', medicationRequest(textOnly('KEYTRUDA 100 mg/4 mL solution'), 'active'), ['medication-treatment-summary']],
    ['an active regimen order is given in clinic', medicationRequest(textOnly('FOLFOX'), 'active'), ['medication-treatment-summary']],
  ]);
});

describe('never throws on malformed input', () => {
  const throwingProxy = new Proxy(
    { resourceType: 'Condition' },
    {
      get(target, key) {
        if (key === 'resourceType') return target.resourceType;
        throw new Error('boom');
      },
    },
  );
  const throwsOnType = new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
    },
  );
  const circular: Record<string, unknown> = { resourceType: 'Observation', code: { text: 'glucose' } };
  circular.self = circular;
  const garbage: unknown[] = [
    null,
    undefined,
    42,
    'Condition',
    [],
    [{ resourceType: 'Condition', code: { text: 'x' } }],
    {},
    { resourceType: 42 },
    { resourceType: '__proto__' },
    { resourceType: 'constructor' },
    { resourceType: 'hasOwnProperty' },
    { resourceType: 'Condition', code: 'diabetes' },
    { resourceType: 'Condition', code: [[{ coding: 'x' }]] },
    { resourceType: 'Condition', verificationStatus: [], code: { coding: [null, 1, { code: {} }, { system: 7, code: 'C50.9' }] } },
    { resourceType: 'Procedure', status: { code: 'completed' }, code: { coding: { system: CPT, code: 19301 } } },
    { resourceType: 'MedicationRequest', status: ['active'], dosageInstruction: { route: [], doseAndRate: 'x' }, medicationReference: { reference: 5 } },
    { resourceType: 'MedicationAdministration', dosage: [[{ dose: { value: '5' } }]], medicationCodeableConcept: [] },
    { resourceType: 'DiagnosticReport', code: null, category: 'LAB', presentedForm: [null] },
    { resourceType: 'DocumentReference', type: { coding: [{ display: 42 }] }, content: [{ attachment: 'x' }] },
    { resourceType: 'Encounter', status: 'finished', class: [[{ code: 'IMP', system: ACT_CODE }]], period: 'today' },
    { resourceType: 'Observation', meta: { profile: 'not-an-array' }, category: [{ coding: [{}] }], code: { coding: [{ system: LOINC }] } },
    { resourceType: 'AllergyIntolerance', reaction: [{ substance: { coding: 'x' } }, 7] },
    { resourceType: 'Immunization', status: 12 },
    throwingProxy,
    throwsOnType,
    circular,
  ];

  it.each(garbage.map((value, i) => [i, value] as const))('gives a list for garbage shape #%i', (_i, value) => {
    const result = classify(value);
    expect(Array.isArray(result)).toBe(true);
    for (const id of result) expect(CATEGORY_IDS).toContain(id);
  });

  it('gives no category to values that are not resources', () => {
    for (const value of [null, undefined, 42, 'Condition', [], {}, { resourceType: 42 }, { resourceType: '__proto__' }]) {
      expect(classify(value)).toEqual([]);
    }
  });
});

describe('isCancerMedicine', () => {
  it.each([
    ['an RxNorm ingredient code without display', coded(RXNORM, '72962'), true],
    ['a brand name in text', 'Keytruda 200 mg/8 mL vial', true],
    ['an ingredient in a Synthea-style clinical drug name', coded(RXNORM, '1736854', 'Cisplatin 50 MG Injection'), true],
    ['a Medication resource with an ingredient', { resourceType: 'Medication', ingredient: [{ itemCodeableConcept: textOnly('fulvestrant') }] }, true],
    ['a drug-class allergen name', 'Platinum compounds', true],
    ['an antiemetic', coded(RXNORM, '26225', 'ondansetron'), false],
    ['an antiemetic "for chemotherapy-induced nausea"', 'aprepitant for chemotherapy-induced nausea', false],
    ['a steroid on its own', 'dexamethasone 4 mg tablet', false],
    ['nothing', null, false],
  ] as const)('%s → %s', (_name, input, expected) => {
    expect(isCancerMedicine(input)).toBe(expected);
  });
});

describe('categories and rules version', () => {
  it('lists the eleven categories in leaflet order, each with a title and the leaflet wording', () => {
    expect(CATEGORY_IDS).toHaveLength(11);
    expect(CATEGORY_IDS[0]).toBe('pathology-reports');
    expect(CATEGORY_IDS[10]).toBe('health-history-tests');
    for (const id of CATEGORY_IDS) {
      expect(CATEGORIES[id].id).toBe(id);
      expect(CATEGORIES[id].title.length).toBeGreaterThan(0);
      expect(CATEGORIES[id].leafletWording.length).toBeGreaterThan(0);
    }
  });

  it('returns categories in leaflet order without duplicates', () => {
    const result = classify(condition(coded(ICD10, 'T45.1X5A')));
    expect(result).toEqual(['treatment-side-effects', 'health-problems']);
  });

  it('has a rules version made of the logic version and a table hash', () => {
    expect(CLASSIFIER_RULES_VERSION).toMatch(/^\d+-[0-9a-f]{12}$/);
  });

  it('changes the rules version when a table changes', () => {
    const tables = { codes: new Set(['a', 'b']), pattern: /x/ };
    const same = { codes: new Set(['b', 'a']), pattern: /x/ };
    const changed = { codes: new Set(['a', 'b', 'c']), pattern: /x/ };
    expect(rulesVersionOf(tables, 1)).toBe(rulesVersionOf(same, 1));
    expect(rulesVersionOf(tables, 1)).not.toBe(rulesVersionOf(changed, 1));
    expect(rulesVersionOf({ pattern: /x/ }, 1)).not.toBe(rulesVersionOf({ pattern: /y/ }, 1));
    expect(rulesVersionOf(tables, 1)).not.toBe(rulesVersionOf(tables, 2));
  });
});
