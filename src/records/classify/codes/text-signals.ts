// Conservative text fallbacks, for records whose codes are local, generic or missing.
// Each pattern runs on lower-cased titles and code texts (never on ids). They are
// written from clinical vocabulary (procedure suffixes, modality names, document
// kinds), so they carry over to EHRs this classifier has never seen. Patterns that
// could misfire elsewhere are kept to the record kinds where their meaning is clear.

// ── Procedures ──────────────────────────────────────────────────────────────────────

/** Surgical and invasive procedures, including endoscopies and biopsies (rule 10). */
export const OPERATION_WORDS = new RegExp(
  [
    String.raw`ectom(y|ies)\b`,
    String.raw`otom(y|ies)\b`,
    String.raw`ostomy\b(?! (care|bag|pouch|suppl|irrigation|teaching))`,
    String.raw`plasty\b`,
    String.raw`pexy\b`,
    String.raw`rrhaphy\b`,
    String.raw`biops(y|ies)`,
    String.raw`\bexcis`,
    String.raw`\bresect`,
    String.raw`amputat`,
    String.raw`anastomos`,
    String.raw`(?<!fluoro|micro|stetho|macro|capillaro)scop(y|ies)\b`,
    String.raw`laparoscop|thoracoscop|arthroscop|endoscop|cystoscop|hysteroscop|\begd\b|\bercp\b|\bebus\b`,
    String.raw`\bpeg\b(?! ?3350)`,
    String.raw`fine needle aspirat|\bfna\b|core needle`,
    String.raw`port[- ]?a[- ]?cath|mediport|power ?port`,
    String.raw`\b(port|line|picc|catheter|central venous|venous access|stent|tube|drain|shunt|pacemaker|implant|expander|prosthesis|mesh|filter|fiducials?)s? (placement|insertion|implantation|exchange|removal|revision)`,
    String.raw`(placement|insertion|implantation|removal|revision) of [^|]*(port|catheter|picc|line|stent|tube|drain|shunt|device|expander|implant|prosthesis|filter|fiducial)`,
    String.raw`kyphoplasty|vertebroplasty`,
    String.raw`bone marrow (aspirat|biops|harvest)`,
    String.raw`lumpectomy|mastectomy|whipple|debridement|thoracentesis|paracentesis|tracheostomy|ligation|lymphadenectomy|dissection`,
    String.raw`\boperation\b|\boperative\b|\bsurgery\b|\bsurgical\b`,
    String.raw`\brepair\b|reconstruction|\bgraft|ablation|embolization|cauterization|conization|\bleep\b|\bturbt?\b|transurethral|curettage|\bd&c\b`,
    String.raw`incision and drainage|\bi&d\b|(percutaneous|catheter|surgical) drainage`,
    String.raw`\btransplant(ation)?\b`,
  ].join('|'),
);

/** Needle and infusion procedures (rule 11): not operations, and an image-guided one is not an imaging exam. */
export const NOT_AN_OPERATION_WORDS =
  /\b(?:inject|infusion|transfusion|venipuncture|blood draw|phlebotomy|collection of (venous )?blood|vaccinat|immuniz|hydration|flush|port access|de-?access|catheter care|stem cell|hematopoietic|apheresis|photopheresis|cerumen|suture removal|removal of sutures|staple removal)|pheresis/;

/** Cell infusions named "transplant" that are not operations (rule 11). */
export const CELL_INFUSION_WORDS = /stem cell|hematopoietic|bone marrow transplant|cord blood|car-?t\b|cellular therapy/;

/** Records about a procedure that are not the procedure itself: screening, counselling, assessment (rule 11). */
export const NOT_A_PROCEDURE_RECORD_WORDS =
  /\b(?:counsel|educat|teaching|instruction|referral|\bconsult|reconciliation|\breview\b|assessment|evaluation|clearance|screening (for|questionnaire|test)|questionnaire|discussion|consent|check-?up|history of|\bh\/o\b|placing subject|positioning)/;

/** Procedure categories of surgical history (Epic "Surgical History"). */
export const SURGICAL_CATEGORY_WORDS = /surgical|surgery|operative/;

/** Chemotherapy or immunotherapy given as a procedure (rule 15). Allergy shots are excluded below. */
export const CHEMO_ADMINISTRATION_WORDS =
  /chemotherap|\bchemo\b|chemoembolization|immunotherap|antineoplastic|anti-neoplastic|biologic response modifier|targeted therapy|(hormone|hormonal|endocrine) therapy[^|]*(cancer|malignan|neoplasm|carcinoma)|monoclonal antibody (infusion|administration)/;

/** Allergen immunotherapy ("allergy shots") is not cancer immunotherapy. */
export const ALLERGEN_IMMUNOTHERAPY_WORDS = /allerg|desensiti|venom|sublingual|subcutaneous immunotherapy|\bslit\b|\bscit\b/;

/** Chemotherapy given together with radiation: both treatment summaries. */
export const CHEMORADIATION_WORDS = /chemoradiation|chemoradiotherapy|chemo-?radiation|combined chemotherapy and radiation/;

// ── Imaging, EKG, pulmonary tests ───────────────────────────────────────────────────

/** Imaging words that are unambiguous anywhere (rules 8–9). */
export const IMAGING_WORDS =
  /\b(?:computed tomograph|\bcat scan|magnetic resonance|\bmri\b|\bmra\b|\bcta\b|\bpet\b|positron|ultrasound|ultrason|sonogra|\bsono\b|echocardiogra|\becho\b|\btte\b|\btee\b|mammogra|\bmammo|tomosynthesis|radiograph|x-ray|\bxray|fluoroscop|angiogra|venogra|arteriogra|scintigra|bone scan|nuclear medicine|\bspect\b|\bmuga\b|\bdexa\b|\bdxa\b|bone densit|myocardial perfusion|doppler|\bduplex\b|\bimaging\b|radiology|\bbi-?rads\b)|scintigra/;

/** Modality abbreviations safe anywhere in a report, study or procedure title. */
export const IMAGING_TITLE_ABBREVIATIONS = /\b(ct|cta|mri|mra|pet|xr|cxr|kub)\b/;
/** Abbreviations that are other words elsewhere ("us", "Mr", "mg"): trusted only as a title's first word. */
export const IMAGING_TITLE_FIRST_WORDS = /^(us|mr|cr|dx|nm|mg|rad|ir)\b/;

export const EKG_WORDS =
  /\b(?:\bekg\b|\becg\b|electrocardiogra|holter|event monitor|rhythm strip|\bqtc\b|\bq-?t interval|treadmill)/;

export const PULMONARY_FUNCTION_WORDS =
  /\b(?:pulmonary function|spirometr|\bpfts?\b|\bfev1\b|\bfvc\b|\bdlco\b|diffusing capacity|lung volumes|plethysmograph)/;

// ── Pathology and tumor markers ─────────────────────────────────────────────────────

/** Pathology, cytology, molecular and germline cancer reports (rules 5, 7). */
export const PATHOLOGY_WORDS =
  /\b(?:patholog|cytolog|cytopath|histolog|histopath|dermatopath|hematopath|\bbiops(y|ies)\b|bone marrow|frozen section|\bpap (smear|test)|thin ?prep|fine needle aspirat|\bfna\b|molecular|genomic|next[- ]generation sequencing|\bngs\b|sequencing|\bmutation|genetic variant|\bfish\b|in situ hybridi|immunohistochem|\bihc\b|oncotype|mammaprint|foundation ?one|guardant|tempus|caris|invitae|myriad|myrisk|ambry|genetic (test|testing|analysis|panel|report)|gene panel|cancer panel|hereditary|germline|karyotype|cytogenetic|flow cytometr|gleason|\bmargins?\b[^|]*(negative|positive|involved)|\bautopsy\b)|patholog/;

/** Blood and tissue tumor markers and cancer biomarkers (rule 6). */
export const TUMOR_MARKER_WORDS = new RegExp(
  [
    String.raw`\bcea\b|carcinoembryonic`,
    String.raw`\bca[ -]?(15[- .]?3|27[.-]?29|125|19[- .]?9|72[- ]?4)\b|cancer (antigen|ag)\b`,
    String.raw`alpha[- ]?fetoprotein|\bafp\b|\bpsa\b|prostate[- ]specific`,
    String.raw`estrogen receptor|progesterone receptor|\ber\/pr\b|hormone receptor status`,
    String.raw`\bher-?2\b|\berbb2\b|\bki-?67\b|\bpd-?l1\b|\bp16\b|\bhpv (in situ|ish)\b`,
    String.raw`microsatellite|\bmsi\b|mismatch repair|\bmmr (protein|ihc|status|deficien|proficien)|\bmlh1\b|\bmsh[26]\b|\bpms2\b`,
    String.raw`\begfr (mutation|gene|exon|variant|t790m)|\bkras\b|\bnras\b|\bbraf\b|\balk\b(?! ?phos)|\bros1\b|\bntrk\b|\bbrca ?[12]?\b|\bpik3ca\b|\besr1\b|\bidh[12]\b|\bflt3\b|\bnpm1\b|\bbcr-?abl|\bjak2\b`,
    String.raw`tumou?r mutational burden|\btmb\b|tumou?r marker`,
    String.raw`free (kappa|lambda|light chain)|light chains?,? free|kappa\/lambda|monoclonal (protein|spike|band|immunoglobulin)|m[- ]spike|\bm[- ]protein\b|paraprotein|immunofixation|protein electrophoresis`,
    String.raw`chromogranin|\bhe4\b|cyfra|neuron[- ]specific enolase`,
  ].join('|'),
);

// ── Documents ───────────────────────────────────────────────────────────────────────

/** Words that name the pathology report itself, strong enough to beat an endoscopy title. */
export const PATHOLOGY_REPORT_TITLE = /patholog|cytolog|cytopath|histolog|histopath|dermatopath|hematopath/;

/** Pathology findings reported as single observations (CAP synoptic items). */
export const PATHOLOGY_OBSERVATION_WORDS =
  /patholog|cytolog|histolog|gleason|histologic (type|grade)|tumou?r (size|grade)|margin status|lymphovascular|perineural/;

/** Procedure notes about treatments rather than operations. */
export const TREATMENT_PROCEDURE_WORDS = /radiation|chemo/;

/** Report categories of cardiology departments: tracings when not images. */
export const CARDIOLOGY_WORDS = /cardiology/;

/** Discharge summaries and discharge instructions, however typed (rule 13). */
export const DISCHARGE_WORDS =
  /\b(?:discharge (summary|summaries|summ\b|instructions?|note|report|paperwork|papers)|\bd\/c (summary|instructions)|\bdc summary|\bdisch(arge)?\.? summ)/;

/** Operative and procedure note titles (rule 10). */
export const OPERATIVE_NOTE_WORDS =
  /\bop(erative)? (note|report)|\bbrief op|\bop note|operation (note|report)|surg(ical|ery) (note|report)|\boperative\b|colonoscop|sigmoidoscop|bronchoscop|endoscop|cystoscop|hysteroscop|laparoscop|thoracoscop|arthroscop|\begd\b|\bercp\b|\beus\b|\bebus\b/;
export const PROCEDURE_NOTE_WORDS = /procedure (note|report)|post[- ]?procedure note/;
/** Document titles that name a procedure done (Epic "Procedures" notes, "CT-guided … biopsy"). */
export const PROCEDURE_DOCUMENT_WORDS = /\bprocedures?\b|\bguided\b|^ir\b|interventional radiology/;

/** Chemo or systemic-therapy treatment summary documents. */
export const MEDICATION_TREATMENT_SUMMARY_TITLE =
  /(chemo(therapy)?|systemic therapy|immunotherapy|infusion therapy|antineoplastic)[^|]*(treatment summary|summary of treatment|completion summary|end of treatment)/;

/** Clinical note titles (a bare "Note" is too generic to count): not results even when they discuss results (rule 32). */
export const CLINICAL_NOTE_WORDS =
  /\b(?:progress notes?|history and physical|h&p|consult(ation)?|(ed|emergency( department)?|nurs(e|ing)|clinic|office|visit|telephone|phone|patient|social work|nutrition|follow[- ]?up) (note|notes|encounter|call|message|visit)|letter|plan of care|care plan|visit summary)\b/;

/** Laboratory result documents and reports named as such ("Outside Lab Results"). */
export const LAB_REPORT_TITLE = /\blab(oratory)? (report|results?|panel|values)\b|\blabs\b/;

/** Whole-record summaries (CCD, "Clinical Summary") are not one record (rule 3). */
export const RECORD_SUMMARY_WORDS =
  /\b(?:continuity of care|\bccd\b|clinical summary|summary of episode|patient summary|health summary|c-?cda|after visit summary|visit summary|transition of care|referral summary)/;

// ── Conditions ──────────────────────────────────────────────────────────────────────

/** Cancer treatments, as named in a condition that blames one. */
const TREATMENT_NOUNS = String.raw`(chemo(therapy)?|chemoradiation|chemoradiotherapy|radiation( therapy)?|radiotherapy|irradiation|\bxrt\b|immunotherapy|checkpoint inhibitors?|hormon(e|al) therapy|endocrine therapy|anti-?hormonal therapy|aromatase inhibitors?|targeted therapy|cancer (treatment|therapy)|antineoplastic( therapy| agents?| drugs?)?|surgery|mastectomy|lumpectomy|colectomy|lymph node dissection|operation|procedure|stem cell transplant|bone marrow transplant)`;

/** A condition the record attributes to cancer treatment (rule 22). */
export const TREATMENT_SIDE_EFFECT_WORDS = new RegExp(
  [
    String.raw`(due to|secondary to|caused by|induced by|related to|associated with|attributed to|from|after|following|post)[- ](the |his |her |prior |recent )?${TREATMENT_NOUNS}`,
    String.raw`(chemo(therapy)?|radiation|radiotherapy|immunotherapy|treatment|therapy|checkpoint inhibitor|anthracycline|platinum|taxane|cisplatin|oxaliplatin|paclitaxel|docetaxel)[- ](induced|related|associated|mediated)`,
    String.raw`radiation (dermatitis|pneumonitis|proctitis|enteritis|colitis|cystitis|esophagitis|mucositis|fibrosis|necrosis|recall|injury|burn|sickness|myelitis|plexopathy)`,
    String.raw`post[- ]?radiation|post[- ]?irradiation|radiodermatitis|radionecrosis|osteoradionecrosis`,
    String.raw`immune[- ](related|mediated) (adverse|colitis|hepatitis|pneumonitis|thyroiditis|hypophysitis|nephritis|dermatitis|arthritis|myocarditis|toxicity)|\birae\b`,
    String.raw`post[- ]?(mastectomy|lumpectomy|operative|procedural|surgical|thoracotomy)\b|\bpostop\b|complications? of (surgery|surgical|procedure|treatment|chemo)`,
    String.raw`hand[- ]foot (syndrome|skin reaction)|palmar[- ]plantar|febrile neutropenia|neutropenic fever|mucositis|lymphedema`,
    String.raw`cardiotoxicity|ototoxicity|neurotoxicity|nephrotoxicity|hepatotoxicity|infusion reaction|cytokine release syndrome`,
    String.raw`(late |adverse |toxic |side )?effects? of (the )?${TREATMENT_NOUNS}|chemo ?brain|checkpoint inhibitor`,
    String.raw`surgical site infection|wound dehiscence|(port|port-a-cath|mediport|picc|central line|catheter)[- ](related |associated )?(infection|thrombosis|bloodstream infection)`,
  ].join('|'),
);

/** Phrases that describe history, not a complication ("status post mastectomy"). Removed before matching side effects. */
export const STATUS_POST_PHRASES =
  /(status post|\bs\/p\b|history of|\bh\/o\b|acquired absence of)[^|,;]*|post-?(procedural|operative|surgical) (state|status)(es|s)?/g;

/** Cancer-treatment words that make a "drug-induced" code a side effect of cancer treatment. */
export const CANCER_TREATMENT_CONTEXT = /chemo|antineoplastic|immunotherap|checkpoint|radiation|radiotherap|cancer (treatment|therapy)|oncolog/;

/** Causal words that, with a cancer drug's name, blame the drug ("neuropathy due to paclitaxel"). */
export const CAUSED_BY_WORDS = /due to|secondary to|caused by|induced|related to|associated with|attributed to|toxicity|reaction to|\bafter\b|following|\bfrom\b|\bpost\b/;

/** Social and administrative findings (Synthea SDOH, "medication review due"): not health problems (rule 26). */
export const SOCIAL_FINDING_WORDS =
  /\b(?:employment|employed\b|unemploy|labou?r force|\beducation\b|received (higher|primary|secondary|certificate)|\bschool\b|criminal record|social isolation|social contact|transportation|housing|homeless|refugee|\bincome\b|insurance|financial|victim of|violence|intimate partner|risk activity|review due|military service|incarcerat|lives alone|sexual orientation|gender identity|stress \(finding\))/;

/** A relative's condition recorded on the patient's list ("Family history of breast cancer", rule 3). */
export const FAMILY_HISTORY_WORDS = /^family history of|^fh of|\bfamily history\b/;

/** Encounter reasons written as conditions: why a visit happened, not a problem (rule 26). */
export const ENCOUNTER_REASON_WORDS =
  /^encounter for|^admission for (chemo|radio|immuno)|\bencounter for (chemo|immuno|radio|antineoplastic|screening|examination|immunization|vaccination|follow-up|aftercare|prophylactic|general)|^screening for|^(routine|general|annual) (medical |health )?(exam|examination|check)|well (child|adult|woman|man) (visit|exam)|^follow-up exam/;

// ── Observations ───────────────────────────────────────────────────────────────────

/** CTCAE toxicity gradings (rule 20). */
export const CTCAE_WORDS =
  /\b(?:\bctcae?\b|common terminology criteria|toxicity (grade|assessment|grading|score)|adverse event grade|\bcrs grade|\bicans\b)/;

/** Cancer staging, disease status and response (rule 25). */
export const CANCER_STAGING_WORDS =
  /(cancer|tumou?r|carcinoma|neoplasm|lymphoma|myeloma|melanoma|sarcoma|malignan)[^|]*\bstage\b|\bstage group|(clinical|pathologic(al)?) stage|\btnm\b|\bajcc\b|\bfigo\b|ann arbor|\brecist\b|\bdeauville\b|(cancer|tumou?r|malignan\w*|oncologic)( disease)? (status|progression|response)|\bdisease (progression|response)\b|response to (cancer )?(treatment|therapy)|(primary tumor|regional (lymph )?nodes?|distant metastas[ie]s) (category|classification|\.clinical|\.pathology)/;

/** Performance status scores: neither a problem nor a test (rule 25). */
export const PERFORMANCE_STATUS_WORDS = /\becog\b|karnofsky|performance status|\blansky\b|\bzubrod\b/;

/** Laboratory test names, for lab observations sent without a category (rule 31). */
export const LAB_TEST_WORDS =
  /\b(?:glucose|\ba1c\b|hemoglobin|hematocrit|platelet|\bwbc\b|white blood|red blood|\brbc\b|neutrophil|lymphocyte|monocyte|eosinophil|basophil|creatinine|\bbun\b|urea|sodium|potassium|chloride|bicarbonate|calcium|magnesium|phosph|albumin|protein|bilirubin|\balt\b|\bast\b|alkaline phosphatase|cholesterol|\bldl\b|\bhdl\b|triglycer|\btsh\b|thyro|\bt4\b|\bt3\b|vitamin|ferritin|\biron\b|\bb12\b|folate|\binr\b|\bptt\b|prothrombin|urinalysis|\burine\b|culture|occult blood|lipase|amylase|\bldh\b|uric acid|\begfr\b|\bgfr\b|lactate|troponin|\bbnp\b|\bhcg\b|testosterone|estradiol|\bfsh\b|\blh\b|cortisol|insulin|c-reactive|\besr\b|sed rate|d-dimer|fibrinogen|hepatitis|\bhiv\b|antibod|\bpanel\b|\bcbc\b|\bcmp\b|\bbmp\b|metabolic)/;

// ── Encounters ──────────────────────────────────────────────────────────────────────

/** Local encounter class/type words for an inpatient or observation stay (rule 14). */
export const INPATIENT_STAY_WORDS = /\binpatient\b|hospital admission|\badmission\b|\bacute care\b|observation (stay|encounter|unit|status|care)|^observation$|\bobs\b/;
export const NOT_INPATIENT_WORDS =
  /\b(?:outpatient|ambulatory|emergency|\bed\b|\ber\b|clinic|office|day surgery|same[- ]day|\bhov\b|infusion|virtual|telehealth|telemedicine|televisit|home|short stay|surgery log|recurring)/;
