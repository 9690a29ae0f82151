import { describe, expect, it } from 'vitest';
import { linkOutcomePath, reasonForTokenError } from '../../../src/portals/link-outcome.js';
import { issuerProblem } from '../../../src/portals/smart-launch.js';

describe('the address the SMART callback sends the browser back to', () => {
  it('should carry only the outcome, the portal id and a reason code', () => {
    expect(linkOutcomePath('northside', { ok: true })).toBe('/?link=success&portal=northside');
    expect(linkOutcomePath('northside', { ok: false, reason: 'issuer-mismatch' })).toBe('/?link=error&portal=northside&reason=issuer-mismatch');
  });

  it.each([
    ['invalid_grant', 'grant-refused'],
    ['invalid_client', 'client-refused'],
    ['unauthorized_client', 'client-refused'],
    ['invalid_request', 'portal-refused'],
    ['Your account was suspended', 'portal-refused'],
  ] as const)('should turn the token error %s into the code %s', (error, reason) => {
    expect(reasonForTokenError(error)).toBe(reason);
  });
});

describe('checking the issuer of an authorization response (RFC 9207)', () => {
  const northside = 'https://northside.example/fhir';
  it.each([
    ['accepts the issuer the launch discovered', { issuer: northside, issParameterSupported: true }, northside, null],
    ['refuses another server as issuer', { issuer: northside, issParameterSupported: true }, 'https://riverside.example/fhir', 'issuer-mismatch'],
    ['refuses another issuer even when the server did not promise iss', { issuer: northside, issParameterSupported: false }, 'https://riverside.example/fhir', 'issuer-mismatch'],
    ['compares as plain strings (no trailing-slash or case folding)', { issuer: northside, issParameterSupported: true }, `${northside}/`, 'issuer-mismatch'],
    ['compares as plain strings (case)', { issuer: northside, issParameterSupported: true }, northside.toUpperCase(), 'issuer-mismatch'],
    ['refuses a response without iss from a server that promised it', { issuer: northside, issParameterSupported: true }, undefined, 'issuer-missing'],
    ['accepts a response without iss from a server that never promised it', { issuer: northside, issParameterSupported: false }, undefined, null],
    ['refuses any iss when the launch knows no issuer', { issuer: null, issParameterSupported: false }, northside, 'issuer-mismatch'],
  ] as const)('%s', (_, launch, iss, expected) => {
    expect(issuerProblem(launch, iss)).toBe(expected);
  });
});
