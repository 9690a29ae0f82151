import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilityStatement } from 'fhir/r4.js';
import type { Sandbox } from '../../sandbox/server.js';
import { discover, startTestSandbox } from './helpers.js';

describe('sandbox discovery documents', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('starts the two default hospitals with FHIR bases under /fhir and iss = FHIR base', () => {
    expect(sandbox.hospitals.map((h) => h.id)).toEqual(['northside', 'riverside']);
    for (const hospital of sandbox.hospitals) {
      expect(hospital.fhirBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
      expect(hospital.issuer).toBe(hospital.fhirBaseUrl);
    }
  });

  it.each(['northside', 'riverside'])('%s publishes a SMART configuration with the required capabilities', async (id) => {
    const hospital = sandbox.hospital(id);
    const smart = await discover(hospital);
    const origin = new URL(hospital.fhirBaseUrl).origin;
    expect(smart).toMatchObject({
      issuer: hospital.fhirBaseUrl,
      authorization_endpoint: `${origin}/oauth/authorize`,
      token_endpoint: `${origin}/oauth/token`,
      revocation_endpoint: `${origin}/oauth/revoke`,
      introspection_endpoint: `${origin}/oauth/introspect`,
      jwks_uri: `${origin}/oauth/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(smart.capabilities).toEqual(
      expect.arrayContaining([
        'launch-standalone',
        'client-public',
        'client-confidential-symmetric',
        'context-standalone-patient',
        'permission-offline',
        'permission-patient',
        'permission-v1',
        'permission-v2',
      ]),
    );
  });

  it('serves a CapabilityStatement with the SMART oauth-uris extension at /metadata without a token', async () => {
    const hospital = sandbox.hospital('northside');
    const response = await fetch(`${hospital.fhirBaseUrl}/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/fhir+json');
    const statement = (await response.json()) as CapabilityStatement;
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    const rest = statement.rest![0];
    const oauthUris = rest.security!.extension!.find((e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris')!;
    const uris = Object.fromEntries(oauthUris.extension!.map((e) => [e.url, e.valueUri]));
    const smart = await discover(hospital);
    expect(uris).toEqual({
      authorize: smart.authorization_endpoint,
      token: smart.token_endpoint,
      revoke: smart.revocation_endpoint,
      introspect: smart.introspection_endpoint,
    });
    const types = rest.resource!.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Observation', 'DocumentReference', 'Binary', 'Practitioner', 'Medication']));
  });

  it('publishes OpenID configuration and a JWKS with an RS256 key for id_tokens', async () => {
    const hospital = sandbox.hospital('riverside');
    const openid = (await (await fetch(`${hospital.fhirBaseUrl}/.well-known/openid-configuration`)).json());
    expect(openid.issuer).toBe(hospital.fhirBaseUrl);
    const jwks = (await (await fetch(openid.jwks_uri)).json());
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('answers unknown FHIR routes with an OperationOutcome', async () => {
    const response = await fetch(`${sandbox.hospital('northside').fhirBaseUrl}/Claim`);
    expect(response.status).toBe(404);
    expect(((await response.json())).resourceType).toBe('OperationOutcome');
  });
});

describe('a hospital configured for SMART v1 scopes only', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({
      hospitals: [
        {
          id: 'legacy',
          name: 'Legacy General',
          port: 0,
          signingSecret: 'legacy-signing-secret-0123456789',
          dataDir: 'data/northside',
          maxPageSize: 25,
          scopeVersions: ['v1'],
          patients: [{ username: 'jane', password: 'sandbox', patientId: 'eJn7vQ2xRt5kLm9pWc4HsB3' }],
        },
      ],
    });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('advertises permission-v1 and not permission-v2', async () => {
    const smart = await discover(sandbox.hospital('legacy'));
    expect(smart.capabilities).toContain('permission-v1');
    expect(smart.capabilities).not.toContain('permission-v2');
    expect(smart.scopes_supported).not.toContain('patient/*.rs');
  });
});
