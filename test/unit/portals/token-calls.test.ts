// The calls carebinder makes to a portal's token, revocation and introspection endpoints
// (through openid-client), against a faked portal: what is sent, and how each answer is read.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PortalResponseError, PortalUnreachableError } from '../../../src/http/portal-http.js';
import { introspectExpiry, refreshAccessToken, revokeToken, TokenRefusedError } from '../../../src/portals/tokens.js';

const PORTAL = 'https://auth.portal.example';
const TOKEN = `${PORTAL}/oauth2/token`;
const confidential = { clientId: 'carebinder app', clientSecret: 's3cret:with/odd chars' };
const publicClient = { clientId: 'carebinder' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Matchers that record what a faked endpoint was sent. */
function captured() {
  const seen = { form: new URLSearchParams(), header: '' };
  return {
    get form() {
      return seen.form;
    },
    get header() {
      return seen.header;
    },
    body: (body: unknown) => {
      seen.form = new URLSearchParams(typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>));
      return true;
    },
    authorization: (value: string) => {
      seen.header = value;
      return true;
    },
  };
}

describe('refreshing an access token', () => {
  it('sends the refresh grant with client_secret_basic and reads the rotated tokens', async () => {
    const sent = captured();
    nock(PORTAL)
      .matchHeader('authorization', sent.authorization)
      .post('/oauth2/token', sent.body)
      .reply(200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2', scope: 'patient/*.rs', patient: 'p1' });
    const answer = await refreshAccessToken(TOKEN, 'rt-1', confidential);
    expect(answer).toMatchObject({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 3600, scope: 'patient/*.rs', patient: 'p1' });
    expect(answer.token_type.toLowerCase()).toBe('bearer');
    expect(sent.form.get('grant_type')).toBe('refresh_token');
    expect(sent.form.get('refresh_token')).toBe('rt-1');
    expect(sent.form.has('client_id')).toBe(false);
    const [id, secret] = Buffer.from(sent.header.replace(/^Basic /, ''), 'base64').toString().split(':');
    // RFC 6749 §2.3.1: both halves form-encoded before base64.
    expect([decodeURIComponent(id.replace(/\+/g, ' ')), decodeURIComponent(secret.replace(/\+/g, ' '))]).toEqual([confidential.clientId, confidential.clientSecret]);
  });

  it('sends client_id in the body for a public client, with no Authorization header', async () => {
    const sent = captured();
    nock(PORTAL, { badheaders: ['authorization'] })
      .post('/oauth2/token', sent.body)
      .reply(200, { access_token: 'at-2', token_type: 'bearer' });
    await refreshAccessToken(TOKEN, 'rt-1', publicClient);
    expect(sent.form.get('client_id')).toBe('carebinder');
  });

  it('keeps the rotated refresh token when the answer also carries an id_token it cannot check', async () => {
    const foreign = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'https://elsewhere.example', aud: 'x', exp: 1 })).toString('base64url')}.`;
    nock(PORTAL).post('/oauth2/token').reply(200, { access_token: 'at-2', token_type: 'Bearer', refresh_token: 'rt-2', id_token: foreign });
    const answer = await refreshAccessToken(TOKEN, 'rt-1', publicClient);
    expect(answer.refresh_token).toBe('rt-2');
    expect(answer.id_token).toBeUndefined();
  });

  it.each([
    ['an OAuth error', 400, { error: 'invalid_grant', error_description: 'refresh token has been revoked' }, {}, 'invalid_grant', 'refresh token has been revoked'],
    ['invalid_client in the body of a 401 with a Basic challenge', 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="portal"' }, 'invalid_client', undefined],
    ['invalid_client in the challenge itself', 401, '', { 'www-authenticate': 'Bearer error="invalid_client", error_description="unknown client"' }, 'invalid_client', 'unknown client'],
    ['a 403 page that is not JSON', 403, '<html>forbidden</html>', { 'content-type': 'text/html' }, 'http_403', undefined],
  ])('is refused for good on %s', async (_, status, body, headers, error, description) => {
    nock(PORTAL).post('/oauth2/token').reply(status, body, headers);
    const refusal = await refreshAccessToken(TOKEN, 'rt-1', confidential).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TokenRefusedError);
    expect(refusal).toMatchObject({ error, description });
  });

  it.each([
    [503, { error: 'temporarily_unavailable' }],
    [500, 'oops'],
    [429, { error: 'slow_down' }],
    [408, ''],
  ])('is worth retrying later when the portal answers %i', async (status, body) => {
    nock(PORTAL).post('/oauth2/token').reply(status, body);
    const failure = await refreshAccessToken(TOKEN, 'rt-1', confidential).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PortalResponseError);
    expect(failure).toMatchObject({ status });
  });

  it('is worth retrying later when the portal cannot be reached', async () => {
    nock(PORTAL).post('/oauth2/token').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    await expect(refreshAccessToken(TOKEN, 'rt-1', confidential)).rejects.toBeInstanceOf(PortalUnreachableError);
  });

  it('stops reading an answer over the size cap', async () => {
    nock(PORTAL)
      .post('/oauth2/token')
      .reply(200, { access_token: 'x'.repeat(300 * 1024), token_type: 'Bearer' });
    const failure = await refreshAccessToken(TOKEN, 'rt-1', confidential).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PortalResponseError);
    expect((failure as Error).message).toMatch(/byte limit/);
  });

  it('does not follow a redirect with the refresh token in the body', async () => {
    nock(PORTAL).post('/oauth2/token').reply(307, '', { location: 'https://collector.example/steal' });
    const stolen = nock('https://collector.example').post('/steal').reply(200, { access_token: 'a', token_type: 'Bearer' });
    const failure = await refreshAccessToken(TOKEN, 'rt-1', confidential).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PortalResponseError);
    expect(stolen.isDone()).toBe(false);
  });

  it('refuses an answer that is not a usable token response', async () => {
    nock(PORTAL).post('/oauth2/token').reply(200, { token_type: 'Bearer' });
    await expect(refreshAccessToken(TOKEN, 'rt-1', confidential)).rejects.toBeInstanceOf(PortalResponseError);
    nock(PORTAL).post('/oauth2/token').reply(200, '<html>sign in</html>', { 'content-type': 'text/html' });
    await expect(refreshAccessToken(TOKEN, 'rt-1', confidential)).rejects.toBeInstanceOf(PortalResponseError);
  });

  it('never puts a token into an error message', async () => {
    nock(PORTAL).post('/oauth2/token').reply(400, { error: 'invalid_grant' });
    const refusal = (await refreshAccessToken(TOKEN, 'rt-secret-value', confidential).catch((e: unknown) => e)) as Error;
    expect(`${refusal.message} ${JSON.stringify(refusal)}`).not.toContain('rt-secret-value');
  });
});

describe('revoking a token (RFC 7009)', () => {
  it('sends the token and its hint, and reports a 200 as revoked', async () => {
    const sent = captured();
    nock(PORTAL).post('/oauth2/revoke', sent.body).reply(200, '');
    expect(await revokeToken(`${PORTAL}/oauth2/revoke`, 'rt-1', 'refresh_token', publicClient)).toBe(true);
    expect(Object.fromEntries(sent.form)).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'carebinder' });
  });

  it('counts a 204 as revoked, and a refusal as not', async () => {
    nock(PORTAL).post('/oauth2/revoke').reply(204);
    expect(await revokeToken(`${PORTAL}/oauth2/revoke`, 'rt-1', 'refresh_token', publicClient)).toBe(true);
    nock(PORTAL).post('/oauth2/revoke').reply(400, { error: 'unsupported_token_type' });
    expect(await revokeToken(`${PORTAL}/oauth2/revoke`, 'rt-1', 'refresh_token', publicClient)).toBe(false);
    nock(PORTAL).post('/oauth2/revoke').reply(503, 'down');
    expect(await revokeToken(`${PORTAL}/oauth2/revoke`, 'rt-1', 'refresh_token', publicClient)).toBe(false);
  });

  it('throws when the portal cannot be reached', async () => {
    nock(PORTAL).post('/oauth2/revoke').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    await expect(revokeToken(`${PORTAL}/oauth2/revoke`, 'rt-1', 'refresh_token', publicClient)).rejects.toBeInstanceOf(PortalUnreachableError);
  });
});

describe('asking when a token expires (RFC 7662)', () => {
  it('reads exp from an active token', async () => {
    nock(PORTAL).post('/oauth2/introspect').reply(200, { active: true, exp: 2_000_000_000 });
    expect(await introspectExpiry(`${PORTAL}/oauth2/introspect`, 'rt-1', 'refresh_token', confidential)).toEqual(new Date(2_000_000_000_000));
  });

  it('answers null for an inactive token or one without exp', async () => {
    nock(PORTAL).post('/oauth2/introspect').reply(200, { active: false });
    expect(await introspectExpiry(`${PORTAL}/oauth2/introspect`, 'rt-1', 'refresh_token', confidential)).toBeNull();
    nock(PORTAL).post('/oauth2/introspect').reply(200, { active: true });
    expect(await introspectExpiry(`${PORTAL}/oauth2/introspect`, 'rt-1', 'refresh_token', confidential)).toBeNull();
  });

  it('throws a portal error when introspection fails', async () => {
    nock(PORTAL).post('/oauth2/introspect').reply(500, 'oops');
    await expect(introspectExpiry(`${PORTAL}/oauth2/introspect`, 'rt-1', 'refresh_token', confidential)).rejects.toBeInstanceOf(PortalResponseError);
  });
});
