import { describe, expect, it } from 'vitest';
import { fhirUserOf, TokenResponseError, validateLaunchTokenResponse } from '../../../src/portals/tokens.js';
import { scopesFor, type SmartConfiguration } from '../../../src/portals/discovery.js';

const base = { access_token: 'at', token_type: 'Bearer', expires_in: 600, scope: 'patient/*.rs', patient: 'p-123' };

describe('launch token responses', () => {
  it('accepts a response naming the patient', () => {
    expect(validateLaunchTokenResponse(base).patient).toBe('p-123');
  });

  it.each([
    [{ ...base, patient: undefined }, /no patient/],
    [{ ...base, patient: '../../etc' }, /no patient/],
    [{ ...base, access_token: undefined }, /access_token/],
    [{ ...base, token_type: 'mac' }, /token_type/],
  ])('refuses %j', (response, message) => {
    expect(() => validateLaunchTokenResponse(response)).toThrow(TokenResponseError);
    expect(() => validateLaunchTokenResponse(response)).toThrow(message);
  });

  it('reads fhirUser from the id_token claims without trusting them for anything else', () => {
    const claims = Buffer.from(JSON.stringify({ fhirUser: 'https://ehr.example.org/fhir/Patient/p-123' })).toString('base64url');
    expect(fhirUserOf({ ...base, id_token: `e30.${claims}.sig` })).toBe('https://ehr.example.org/fhir/Patient/p-123');
    expect(fhirUserOf({ ...base, id_token: 'garbage' })).toBeNull();
  });
});

describe('scope request', () => {
  const configuration = (capabilities: string[], source: SmartConfiguration['source'] = 'well-known'): SmartConfiguration => ({
    authorizationEndpoint: 'https://a',
    tokenEndpoint: 'https://t',
    capabilities,
    codeChallengeMethods: ['S256'],
    scopesSupported: [],
    issParameterSupported: false,
    source,
  });

  it('asks for SMART v2 scopes from a portal that supports them', () => {
    expect(scopesFor(configuration(['permission-v1', 'permission-v2']))).toBe('launch/patient openid fhirUser offline_access patient/*.rs');
  });

  it('falls back to v1 .read scopes for v1-only and pre-SMART-2 portals', () => {
    expect(scopesFor(configuration(['permission-v1']))).toBe('launch/patient openid fhirUser offline_access patient/*.read');
    expect(scopesFor(configuration([], 'capability-statement'))).toContain('patient/*.read');
  });

  it('uses the portal registration override when one is set', () => {
    expect(scopesFor(configuration(['permission-v2']), 'patient/Observation.rs offline_access')).toBe('patient/Observation.rs offline_access');
  });
});
