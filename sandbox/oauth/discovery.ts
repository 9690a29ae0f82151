// Discovery documents: SMART App Launch 2.x `.well-known/smart-configuration` and the OpenID
// Provider metadata a client needs to check id_tokens (issuer = the FHIR base URL).
import type { HospitalContext } from '../hospital-context.js';

/** The issuer and endpoints, the same in both documents. */
function endpointMetadata({ urls }: HospitalContext): Record<string, string> {
  return {
    issuer: urls.fhirBase,
    jwks_uri: urls.jwks,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    revocation_endpoint: urls.revoke,
    introspection_endpoint: urls.introspect,
  };
}

export function smartConfiguration(hospital: HospitalContext): Record<string, unknown> {
  const { config } = hospital;
  const v2 = config.scopeVersions.includes('v2');
  return {
    ...endpointMetadata(hospital),
    grant_types_supported: ['authorization_code', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    scopes_supported: scopesSupported(v2, config.scopeVersions.includes('v1')),
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    capabilities: [
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'context-standalone-patient',
      'sso-openid-connect',
      'permission-offline',
      'permission-online',
      'permission-patient',
      ...(config.scopeVersions.includes('v1') ? ['permission-v1'] : []),
      ...(v2 ? ['permission-v2'] : []),
    ],
  };
}

export function openIdConfiguration(hospital: HospitalContext): Record<string, unknown> {
  return {
    ...endpointMetadata(hospital),
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'fhirUser', 'name'],
    scopes_supported: ['openid', 'fhirUser', 'profile'],
  };
}

function scopesSupported(v2: boolean, v1: boolean): string[] {
  return [
    'openid',
    'fhirUser',
    'launch/patient',
    'offline_access',
    'online_access',
    ...(v2 ? ['patient/*.rs'] : []),
    ...(v1 ? ['patient/*.read'] : []),
  ];
}
