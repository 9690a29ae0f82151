import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/carebinder',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  CAREBINDER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function errorFor(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('configuration', () => {
  it('applies the documented defaults when only the required settings are given', () => {
    const config = loadConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.secureCookies).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.secretKey).toHaveLength(32);
  });

  it('uses secure cookies when the public URL is https and drops its trailing slash', () => {
    const config = loadConfig({ ...valid, PUBLIC_URL: 'https://binder.example.org/' });
    expect(config.publicUrl).toBe('https://binder.example.org');
    expect(config.secureCookies).toBe(true);
  });

  it('sends no mail without SMTP_URL, keeps audit events a year by default, and reads the mail settings', () => {
    expect(loadConfig(valid)).toMatchObject({ mail: null, auditRetentionDays: 365 });
    const config = loadConfig({ ...valid, SMTP_URL: 'smtps://user:pw@smtp.example.org:465', MAIL_FROM: ' carebinder <binder@example.org> ', AUDIT_RETENTION_DAYS: '90' });
    expect(config.mail).toEqual({ smtpUrl: 'smtps://user:pw@smtp.example.org:465', from: 'carebinder <binder@example.org>' });
    expect(config.auditRetentionDays).toBe(90);
    expect(errorFor({ ...valid, SMTP_URL: 'smtp://mail.example.org', MAIL_FROM: 'not an address' })).toMatch(/^MAIL_FROM is malformed/);
  });

  it('runs jobs on PostgreSQL when REDIS_URL is unset', () => {
    expect(loadConfig({ ...valid, REDIS_URL: undefined }).redisUrl).toBeUndefined();
  });

  it.each([
    ['DATABASE_URL', undefined, /^DATABASE_URL is not set: expected a postgres:\/\/ URL/],
    ['DATABASE_URL', 'mysql://localhost/db', /^DATABASE_URL is malformed: expected a postgres:\/\/ URL/],
    ['REDIS_URL', 'http://localhost:6379', /^REDIS_URL is malformed: expected a redis:\/\/ URL/],
    ['PORT', 'eighty', /^PORT is malformed: expected/],
    ['PORT', '70000', /^PORT is malformed: expected a port from 0 to 65535/],
    ['HOST', ' ', null],
    ['PUBLIC_URL', 'ftp://example.org', /^PUBLIC_URL is malformed: expected an http\(s\) URL/],
    ['CAREBINDER_SECRET_KEY', undefined, /^CAREBINDER_SECRET_KEY is not set: expected 32 random bytes in base64/],
    ['CAREBINDER_SECRET_KEY', Buffer.alloc(16).toString('base64'), /^CAREBINDER_SECRET_KEY is malformed: expected 32 random bytes/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL is malformed: expected one of fatal, error, warn, info, debug, trace, silent/],
    ['SYNC_EVERY_HOURS', '0', /^SYNC_EVERY_HOURS is malformed: expected a positive whole number/],
    ['RATE_LIMIT_PER_MINUTE', '-5', /^RATE_LIMIT_PER_MINUTE is malformed: expected a positive whole number/],
    ['CAREBINDER_OLD_SECRET_KEYS', 'short', /^CAREBINDER_OLD_SECRET_KEYS is malformed/],
    ['SMTP_URL', 'mail.example.org:25', /^SMTP_URL is malformed: expected an smtp:\/\/ or smtps:\/\/ URL/],
    ['SMTP_URL', 'smtp://mail.example.org', /^MAIL_FROM is not set: expected the sender of notices/],
    ['AUDIT_RETENTION_DAYS', 'a year', /^AUDIT_RETENTION_DAYS is malformed: expected a positive whole number of days/],
    ['AUDIT_RETENTION_DAYS', '0', /^AUDIT_RETENTION_DAYS is malformed: expected a positive whole number/],
  ])('refuses %s=%s with one line naming the setting', (name, value, pattern) => {
    if (pattern === null) {
      // A blank HOST counts as unset and falls back to the default.
      expect(loadConfig({ ...valid, [name]: value }).host).toBe(' ');
      return;
    }
    const message = errorFor({ ...valid, [name]: value });
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });
});
