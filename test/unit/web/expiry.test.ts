import { describe, expect, it } from 'vitest';
import { linkExpiryWarning } from '../../../web/src/expiry.js';

const now = new Date('2025-01-10T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
const link = (overrides: Partial<Parameters<typeof linkExpiryWarning>[0]> = {}): Parameters<typeof linkExpiryWarning>[0] => ({
  portal: { name: 'Riverside' },
  status: 'active',
  hasRefreshToken: true,
  refreshTokenExpiresAt: days(90),
  accessTokenExpiresAt: days(0.04),
  ...overrides,
});

describe('link expiry warnings', () => {
  it('should not warn while the refresh token has more than 14 days left', () => {
    expect(linkExpiryWarning(link({ refreshTokenExpiresAt: days(15) }), now, 'en-GB')).toBeNull();
  });

  it('should warn when the refresh token ends within 14 days', () => {
    const warning = linkExpiryWarning(link({ refreshTokenExpiresAt: days(5) }), now, 'en-GB');
    expect(warning).toMatchObject({ kind: 'expiring', token: 'refresh' });
    expect(warning?.message).toContain('Access to Riverside ends in 5 days (15 Jan 2025)');
    expect(warning?.message).toContain('Link again');
  });

  it('should warn at exactly 14 days', () => {
    expect(linkExpiryWarning(link({ refreshTokenExpiresAt: days(14) }), now, 'en-GB')?.kind).toBe('expiring');
  });

  it('should say the link has lapsed when the refresh token has ended', () => {
    const warning = linkExpiryWarning(link({ refreshTokenExpiresAt: days(-2) }), now, 'en-GB');
    expect(warning).toMatchObject({ kind: 'expired', token: 'refresh' });
    expect(warning?.message).toContain('ended 2 days ago');
  });

  it('should ignore the access token while a refresh token can renew it', () => {
    expect(linkExpiryWarning(link({ accessTokenExpiresAt: days(-1) }), now, 'en-GB')).toBeNull();
  });

  it('should not warn about a refresh token with no known end', () => {
    expect(linkExpiryWarning(link({ refreshTokenExpiresAt: null }), now, 'en-GB')).toBeNull();
  });

  it('should warn about the access token when the portal gave no refresh token', () => {
    const warning = linkExpiryWarning(link({ hasRefreshToken: false, refreshTokenExpiresAt: null, accessTokenExpiresAt: days(1 / 24) }), now, 'en-GB');
    expect(warning).toMatchObject({ kind: 'expiring', token: 'access' });
    expect(warning?.message).toContain('in 1 hour');
    expect(warning?.message).toContain('did not allow carebinder to stay signed in');
  });

  it('should say an access-only link has lapsed once its access token ended', () => {
    expect(linkExpiryWarning(link({ hasRefreshToken: false, accessTokenExpiresAt: days(-0.5) }), now, 'en-GB')).toMatchObject({ kind: 'expired', token: 'access' });
  });

  it('should leave a link that already needs relinking to say so itself', () => {
    expect(linkExpiryWarning(link({ status: 'needs-relink', refreshTokenExpiresAt: days(-1) }), now, 'en-GB')).toBeNull();
  });

  it('should ignore an unreadable date', () => {
    expect(linkExpiryWarning(link({ refreshTokenExpiresAt: 'soon' }), now, 'en-GB')).toBeNull();
  });
});
