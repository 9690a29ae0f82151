// SMART discovery: .well-known/smart-configuration, falling back to the CapabilityStatement's
// oauth-uris extension. Nothing is cached: discovery happens only when a patient starts or
// finishes linking, so one extra request then costs little, and a portal that was down (or
// moved its endpoints) works again as soon as it recovers, without a restart.
import { z } from 'zod';
import { portalJson } from '../http/portal-http.js';

export interface SmartConfiguration {
  issuer?: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  capabilities: string[];
  codeChallengeMethods: string[];
  scopesSupported: string[];
  /** RFC 9207: the server sends `iss` in every authorization response, so a response without it is refused. */
  issParameterSupported: boolean;
  source: 'well-known' | 'capability-statement';
}

const httpUrl = z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'an http(s) URL');

const WellKnown = z.object({
  issuer: z.string().optional(),
  authorization_endpoint: httpUrl,
  token_endpoint: httpUrl,
  revocation_endpoint: httpUrl.optional(),
  introspection_endpoint: httpUrl.optional(),
  capabilities: z.array(z.string()).optional().catch(undefined),
  code_challenge_methods_supported: z.array(z.string()).optional().catch(undefined),
  scopes_supported: z.array(z.string()).optional().catch(undefined),
  authorization_response_iss_parameter_supported: z.boolean().optional().catch(undefined),
});

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

export function fhirBase(url: string): string {
  return url.replace(/\/+$/, '');
}

export async function discoverSmartConfiguration(fhirBaseUrl: string): Promise<SmartConfiguration> {
  const base = fhirBase(fhirBaseUrl);
  try {
    return await fromWellKnown(base);
  } catch (wellKnownError) {
    try {
      return await fromCapabilityStatement(base);
    } catch {
      throw wellKnownError;
    }
  }
}

async function fromWellKnown(base: string): Promise<SmartConfiguration> {
  const body = WellKnown.parse(await portalJson(`${base}/.well-known/smart-configuration`, {}, { timeoutMs: 10_000, maxBytes: 256 * 1024, kind: 'discovery' }));
  return {
    ...(body.issuer ? { issuer: body.issuer } : {}),
    authorizationEndpoint: body.authorization_endpoint,
    tokenEndpoint: body.token_endpoint,
    ...(body.revocation_endpoint ? { revocationEndpoint: body.revocation_endpoint } : {}),
    ...(body.introspection_endpoint ? { introspectionEndpoint: body.introspection_endpoint } : {}),
    capabilities: body.capabilities ?? [],
    codeChallengeMethods: body.code_challenge_methods_supported ?? [],
    scopesSupported: body.scopes_supported ?? [],
    issParameterSupported: body.authorization_response_iss_parameter_supported === true,
    source: 'well-known',
  };
}

async function fromCapabilityStatement(base: string): Promise<SmartConfiguration> {
  const statement = await portalJson<{ rest?: Array<{ security?: { extension?: Array<{ url?: string; extension?: Array<{ url?: string; valueUri?: string }> }> } }> }>(
    `${base}/metadata`,
    { headers: { accept: 'application/fhir+json' } },
    { timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024, kind: 'discovery' },
  );
  const uris = statement.rest?.[0]?.security?.extension?.find((e) => e.url === OAUTH_URIS)?.extension ?? [];
  const uri = (name: string) => uris.find((e) => e.url === name)?.valueUri;
  const authorizationEndpoint = httpUrl.parse(uri('authorize'));
  const tokenEndpoint = httpUrl.parse(uri('token'));
  const revocationEndpoint = uri('revoke');
  const introspectionEndpoint = uri('introspect');
  return {
    authorizationEndpoint,
    tokenEndpoint,
    ...(revocationEndpoint && httpUrl.safeParse(revocationEndpoint).success ? { revocationEndpoint } : {}),
    ...(introspectionEndpoint && httpUrl.safeParse(introspectionEndpoint).success ? { introspectionEndpoint } : {}),
    // A server that only publishes the CapabilityStatement predates SMART 2: assume v1 scopes.
    capabilities: [],
    codeChallengeMethods: [],
    scopesSupported: [],
    issParameterSupported: false,
    source: 'capability-statement',
  };
}

/**
 * The issuer identifier an authorization response's `iss` must equal (RFC 9207 §2.4, simple
 * string comparison): the discovered `issuer`, or, when the SMART configuration names none
 * (it is only required with sso-openid-connect), the FHIR base URL the launch was sent to,
 * which is how SMART identifies the server (the launch's `iss`/`aud`).
 */
export function expectedIssuer(configuration: SmartConfiguration, fhirBaseUrl: string): string {
  return configuration.issuer ?? fhirBase(fhirBaseUrl);
}

export const DEFAULT_SCOPES_V2 = 'launch/patient openid fhirUser offline_access patient/*.rs';
export const DEFAULT_SCOPES_V1 = 'launch/patient openid fhirUser offline_access patient/*.read';

/**
 * SMART v2 scopes when the portal advertises permission-v2 (SMART 2 servers must); otherwise
 * v1 `.read` scopes, which every older server understands.
 */
export function scopesFor(configuration: SmartConfiguration, override?: string | null): string {
  if (override) return override;
  return configuration.capabilities.includes('permission-v2') ? DEFAULT_SCOPES_V2 : DEFAULT_SCOPES_V1;
}
