// What to pull from a portal: the resource types the leaflet's records live in, narrowed to
// what the portal's CapabilityStatement offers and what the granted scopes allow. Pure.

/** The named five first, then what real EHRs use for the same facts. */
export const SYNC_TYPES = [
  'Patient',
  'DiagnosticReport',
  'ImagingStudy',
  'Procedure',
  'MedicationStatement',
  'Immunization',
  'MedicationRequest',
  'MedicationAdministration',
  'MedicationDispense',
  'DocumentReference',
  'Observation',
  'Condition',
  'AllergyIntolerance',
  'Encounter',
  'CarePlan',
  'AdverseEvent',
] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

/** Referenced resources fetched by id after the searches. */
export const REFERENCE_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location'] as const;

/** Every type carebinder will store (searched, referenced, or included by a portal). */
export const STORABLE_TYPES: ReadonlySet<string> = new Set<string>([...SYNC_TYPES, ...REFERENCE_TYPES]);

/**
 * Categories to search one by one when a portal refuses an uncategorised search (Epic requires
 * a category for Observation; US Core requires assess-plan for CarePlan).
 */
export const REQUIRED_CATEGORY_FALLBACKS: Partial<Record<SyncType, readonly string[]>> = {
  Observation: ['laboratory', 'vital-signs', 'social-history', 'imaging', 'procedure', 'survey', 'exam', 'therapy', 'activity'],
  CarePlan: ['assess-plan'],
};

/** The search parameter that names the patient; AdverseEvent has no `patient` parameter in R4. */
export function patientSearch(type: SyncType, patientId: string): Record<string, string> {
  if (type === 'Patient') return { _id: patientId };
  if (type === 'AdverseEvent') return { subject: `Patient/${patientId}` };
  return { patient: patientId };
}

export interface PortalCapabilities {
  /** Types the server says it supports; null when it published no usable CapabilityStatement. */
  types: Set<string> | null;
  /** Types whose search declares _lastUpdated (or the server declares it for all). */
  lastUpdatedTypes: Set<string>;
  lastUpdatedEverywhere: boolean;
}

interface CapabilityStatementShape {
  resourceType?: unknown;
  rest?: Array<{
    mode?: string;
    searchParam?: Array<{ name?: string }>;
    resource?: Array<{ type?: string; searchParam?: Array<{ name?: string }>; interaction?: Array<{ code?: string }> }>;
  }>;
}

export function parseCapabilities(statement: unknown): PortalCapabilities {
  const cs = statement as CapabilityStatementShape | null;
  const server = cs?.resourceType === 'CapabilityStatement' && Array.isArray(cs.rest) ? cs.rest.find((r) => r.mode !== 'client') : undefined;
  if (!server || !Array.isArray(server.resource)) return { types: null, lastUpdatedTypes: new Set(), lastUpdatedEverywhere: false };
  const types = new Set<string>();
  const lastUpdatedTypes = new Set<string>();
  for (const resource of server.resource) {
    if (typeof resource?.type !== 'string') continue;
    const interactions = Array.isArray(resource.interaction) ? resource.interaction.map((i) => i?.code) : [];
    if (interactions.length === 0 || interactions.includes('search-type') || interactions.includes('read')) types.add(resource.type);
    if (Array.isArray(resource.searchParam) && resource.searchParam.some((p) => p?.name === '_lastUpdated')) lastUpdatedTypes.add(resource.type);
  }
  const lastUpdatedEverywhere = Array.isArray(server.searchParam) && server.searchParam.some((p) => p?.name === '_lastUpdated');
  return { types, lastUpdatedTypes, lastUpdatedEverywhere };
}

/**
 * Whether the granted scopes let us search this type for the patient: SMART v2 (`.rs`, `.cruds`,
 * `.s` with `.r`, granular `?category=` forms) and v1 (`.read`, `.*`), patient/ or user/ level.
 */
export function scopePermitsType(grantedScopes: string, type: string): boolean {
  return grantedScopes.split(/\s+/).some((scope) => {
    const match = /^(patient|user)\/([A-Za-z*]+)\.([a-z*]+)(\?.*)?$/.exec(scope);
    if (!match) return false;
    const [, , scopeType, permissions] = match;
    if (scopeType !== '*' && scopeType !== type) return false;
    if (permissions === 'read' || permissions === '*') return true;
    return /^c?r?u?d?s?$/.test(permissions) && permissions.includes('r') && permissions.includes('s');
  });
}

export interface TypePlan {
  type: SyncType;
  /** Skipped types say why, for the sync report. */
  skipped?: 'not-offered-by-portal' | 'not-granted';
  useLastUpdated: boolean;
}

export function planTypes(capabilities: PortalCapabilities, grantedScopes: string): TypePlan[] {
  return SYNC_TYPES.map((type) => {
    const useLastUpdated = capabilities.lastUpdatedEverywhere || capabilities.lastUpdatedTypes.has(type);
    if (capabilities.types && !capabilities.types.has(type)) return { type, skipped: 'not-offered-by-portal', useLastUpdated };
    if (grantedScopes.trim() !== '' && !scopePermitsType(grantedScopes, type)) return { type, skipped: 'not-granted', useLastUpdated };
    return { type, useLastUpdated };
  });
}
