// SMART scopes (App Launch 2.x §Scopes and Launch Context): v2 `patient/Observation.rs?category=…`
// and v1 `patient/Observation.read`. The sandbox only serves reads, so it grants the read part.
import type { ScopeVersion } from '../config.js';
import { isSupportedType } from '../fhir/resource-types.js';

export interface ResourceGrant {
  readonly resourceType: string; // a type or '*'
  readonly read: boolean;
  readonly search: boolean;
  /** v2 finer-grained scope: only resources matching these search parameters. */
  readonly query: URLSearchParams | undefined;
}

/** Scopes that are not about resources but about context and tokens. */
const CONTEXT_SCOPES = new Set(['openid', 'fhirUser', 'profile', 'launch/patient', 'offline_access', 'online_access']);

const V2_SCOPE = /^patient\/(\*|[A-Z][A-Za-z]+)\.(c?r?u?d?s?)(\?.+)?$/;
const V1_SCOPE = /^patient\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*)$/;

export interface GrantDecision {
  /** The scope string the server grants, in the request's order. */
  readonly granted: string[];
  readonly grantsResourceAccess: boolean;
}

/**
 * Decides which requested scopes a patient-facing standalone launch gets: context scopes,
 * patient-level resource scopes narrowed to reads, in the scope syntaxes this hospital supports.
 * user/ and system/ scopes are not granted to a patient.
 */
export function decideGrantedScopes(requested: readonly string[], versions: readonly ScopeVersion[]): GrantDecision {
  const granted: string[] = [];
  let grantsResourceAccess = false;
  for (const scope of requested) {
    if (CONTEXT_SCOPES.has(scope)) {
      if (!granted.includes(scope)) granted.push(scope);
      continue;
    }
    const narrowed = narrowToReads(scope, versions);
    if (narrowed !== undefined && !granted.includes(narrowed)) {
      granted.push(narrowed);
      grantsResourceAccess = true;
    }
  }
  // offline_access and online_access are alternatives; the longer-lived one wins.
  if (granted.includes('offline_access')) removeFrom(granted, 'online_access');
  return { granted, grantsResourceAccess };
}

function narrowToReads(scope: string, versions: readonly ScopeVersion[]): string | undefined {
  const v2 = V2_SCOPE.exec(scope);
  if (v2 && versions.includes('v2')) {
    const [, type = '', permissions = '', query = ''] = v2;
    const reads = `${permissions.includes('r') ? 'r' : ''}${permissions.includes('s') ? 's' : ''}`;
    if (reads === '' || !knownType(type)) return undefined;
    return `patient/${type}.${reads}${query}`;
  }
  const v1 = V1_SCOPE.exec(scope);
  if (v1 && versions.includes('v1')) {
    const [, type = '', access = ''] = v1;
    if (access === 'write' || !knownType(type)) return undefined;
    return `patient/${type}.read`;
  }
  return undefined;
}

function knownType(type: string): boolean {
  return type === '*' || isSupportedType(type);
}

/** Reads the resource grants out of a granted scope string. */
export function resourceGrants(scopes: readonly string[]): ResourceGrant[] {
  const grants: ResourceGrant[] = [];
  for (const scope of scopes) {
    const v2 = V2_SCOPE.exec(scope);
    if (v2) {
      const [, type = '', permissions = '', query] = v2;
      grants.push({
        resourceType: type,
        read: permissions.includes('r'),
        search: permissions.includes('s'),
        query: query === undefined ? undefined : new URLSearchParams(query.slice(1)),
      });
      continue;
    }
    const v1 = V1_SCOPE.exec(scope);
    if (v1 && v1[2] !== 'write') {
      grants.push({ resourceType: v1[1] ?? '', read: true, search: true, query: undefined });
    }
  }
  return grants;
}

/** The grants that let a token read (`r`) or search (`s`) a type. */
export function grantsFor(grants: readonly ResourceGrant[], resourceType: string, action: 'read' | 'search'): ResourceGrant[] {
  return grants.filter(
    (grant) => (grant.resourceType === '*' || grant.resourceType === resourceType) && grant[action],
  );
}

/** Plain-language line for the consent page. */
export function describeScope(scope: string): string {
  switch (scope) {
    case 'openid':
    case 'fhirUser':
    case 'profile':
      return 'Know who you are (your portal identity)';
    case 'launch/patient':
      return 'Know which patient record you chose';
    case 'offline_access':
      return 'Keep access when you are signed out, until you revoke it';
    case 'online_access':
      return 'Keep access while you stay signed in';
    default:
      return describeResourceScope(scope);
  }
}

function describeResourceScope(scope: string): string {
  const grant = resourceGrants([scope])[0];
  if (!grant) return scope;
  const what = grant.resourceType === '*' ? 'all of your health records' : `your ${grant.resourceType} records`;
  const filter = grant.query ? ` where ${grant.query.toString()}` : '';
  return `Read ${what}${filter}`;
}

function removeFrom(list: string[], value: string): void {
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
}
