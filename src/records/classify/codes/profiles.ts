// Profile ids (the last path segment of meta.profile) that tell what a resource is.
// Sources: US Core (hl7.org/fhir/us/core), mCODE (hl7.org/fhir/us/mcode), US Cancer
// Pathology Data Sharing (hl7.org/fhir/us/cancer-reporting), Genomics Reporting
// (hl7.org/fhir/uv/genomics-reporting). A profile is one signal among others: rule 17
// says an mCODE "cancer-related" medication profile does not make a drug anti-cancer.

export type ProfileSignal = 'pathology' | 'staging' | 'performance-status' | 'adverse-event' | 'not-a-test' | 'lab' | 'note';

export const PROFILE_SIGNALS: Readonly<Record<string, ProfileSignal>> = {
  'mcode-tumor-marker-test': 'pathology',
  'mcode-genomics-report': 'pathology',
  'mcode-genomic-variant': 'pathology',
  'mcode-genomic-region-studied': 'pathology',
  'mcode-cancer-genomics-report': 'pathology',
  'mcode-cancer-genetic-variant': 'pathology',
  'us-pathology-diagnostic-report': 'pathology',
  'us-pathology-specimen-observation': 'pathology',
  'genomics-report': 'pathology',
  'variant': 'pathology',
  'genomic-study': 'pathology',
  'mcode-tnm-stage-group': 'staging',
  'mcode-tnm-primary-tumor-category': 'staging',
  'mcode-tnm-regional-nodes-category': 'staging',
  'mcode-tnm-distant-metastases-category': 'staging',
  'mcode-cancer-stage': 'staging',
  'mcode-cancer-stage-group': 'staging',
  'mcode-tnm-clinical-stage-group': 'staging',
  'mcode-tnm-pathological-stage-group': 'staging',
  'mcode-cancer-disease-status': 'staging',
  'mcode-ecog-performance-status': 'performance-status',
  'mcode-karnofsky-performance-status': 'performance-status',
  'ctc-adverse-event': 'adverse-event',
  'us-core-vital-signs': 'not-a-test',
  'us-core-blood-pressure': 'not-a-test',
  'us-core-bmi': 'not-a-test',
  'us-core-body-weight': 'not-a-test',
  'us-core-body-height': 'not-a-test',
  'us-core-body-temperature': 'not-a-test',
  'us-core-heart-rate': 'not-a-test',
  'us-core-respiratory-rate': 'not-a-test',
  'us-core-pulse-oximetry': 'not-a-test',
  'us-core-head-circumference': 'not-a-test',
  'us-core-smokingstatus': 'not-a-test',
  'us-core-observation-social-history': 'not-a-test',
  'us-core-observation-sdoh-assessment': 'not-a-test',
  'us-core-observation-screening-assessment': 'not-a-test',
  'us-core-observation-survey': 'not-a-test',
  'us-core-observation-occupation': 'not-a-test',
  'us-core-observation-pregnancystatus': 'not-a-test',
  'us-core-observation-pregnancyintent': 'not-a-test',
  'us-core-observation-lab': 'lab',
  'us-core-diagnosticreport-lab': 'lab',
  'us-core-diagnosticreport-note': 'note',
};

/** The profile id of a profile URL (drops any "|version" and the path). */
export function profileId(url: string): string {
  const bare = url.split('|')[0] ?? '';
  const slash = bare.lastIndexOf('/');
  return (slash >= 0 ? bare.slice(slash + 1) : bare).toLowerCase();
}
