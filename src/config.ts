// One place that reads the environment. Everything else receives a typed Config.
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/carebinder');

const redisUrl = z
  .string()
  .refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), 'a redis:// URL, e.g. redis://127.0.0.1:6379/0');

const secretKey = z.string().refine((value) => {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === value.replace(/\s/g, '');
}, '32 random bytes in base64 (generate with: openssl rand -base64 32)');

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'an http(s) URL such as https://carebinder.example.org')
  .transform((value) => value.replace(/\/+$/, ''));

const port = z.coerce.number().int('a whole number').min(0, 'a port from 0 to 65535').max(65535, 'a port from 0 to 65535');

const positiveInt = z.coerce.number().int().positive('a positive whole number');

const smtpUrl = z
  .string()
  .refine((value) => /^smtps?:\/\//.test(value) && URL.canParse(value), 'an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.org:465');

// "Name <address>" or a bare address; nodemailer parses it, this only catches what cannot be one.
const mailFrom = z.string().refine((value) => /^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/.test(value.trim()), 'an address such as "carebinder <binder@example.org>"');

const EnvSchema = z.object({
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl.optional(),
  PORT: port.default(3000),
  HOST: z.string().min(1, 'a host name or address').default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  CAREBINDER_SECRET_KEY: secretKey,
  /** Older keys, `kid:base64` comma-separated, still accepted for decryption while secrets are re-encrypted. */
  CAREBINDER_OLD_SECRET_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ADMIN_TOKEN: z.string().min(24, 'at least 24 characters (it guards the queue dashboard and /metrics)').optional(),
  SESSION_TTL_HOURS: positiveInt.default(24 * 7),
  SYNC_EVERY_HOURS: positiveInt.default(24),
  FULL_SYNC_EVERY_DAYS: positiveInt.default(7),
  PORTAL_MAX_CONCURRENCY: positiveInt.default(2),
  /** `1800` (every portal) and/or `portal-id=600`, comma-separated: the portals' metered rates, requests a minute. */
  PORTAL_REQUESTS_PER_MINUTE: z
    .string()
    .regex(/^\s*(?:[a-z0-9][a-z0-9._-]*\s*=\s*)?[1-9]\d*\s*(?:,\s*(?:[a-z0-9][a-z0-9._-]*\s*=\s*)?[1-9]\d*\s*)*$/, 'requests a minute for every portal and/or portal-id=requests, comma-separated (e.g. 1800,northside=600)')
    .optional(),
  SYNC_MAX_PAGES: positiveInt.default(2000),
  WORKER_CONCURRENCY: positiveInt.default(4),
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  UPLOAD_MAX_MB: positiveInt.default(25),
  /** A worker serves its Prometheus metrics on this port (off when unset). */
  METRICS_PORT: port.optional(),
  // Read by the OpenTelemetry SDK itself (src/observability/tracing.ts); checked here so a typo is named at startup.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  /** Unset: no e-mail is sent (notices are off). */
  SMTP_URL: smtpUrl.optional(),
  MAIL_FROM: mailFrom.optional(),
  AUDIT_RETENTION_DAYS: positiveInt.default(365),
});

export type Env = z.infer<typeof EnvSchema>;

// What to say when a setting is missing: zod's own "expected string, received undefined" says little to an operator.
const EXPECTED: Partial<Record<string, string>> = {
  DATABASE_URL: 'a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/carebinder',
  CAREBINDER_SECRET_KEY: '32 random bytes in base64 (generate with: openssl rand -base64 32)',
  AUDIT_RETENTION_DAYS: 'a positive whole number of days, e.g. 365',
};

export interface Config {
  databaseUrl: string;
  /** Absent: jobs run on BullMQ's PostgreSQL backend inside DATABASE_URL. */
  redisUrl: string | undefined;
  port: number;
  host: string;
  publicUrl: string;
  /** Secure cookies only make sense when the public URL is https. */
  secureCookies: boolean;
  secretKey: Buffer;
  oldSecretKeys: Buffer[];
  logLevel: (typeof LOG_LEVELS)[number];
  adminToken: string | undefined;
  sessionTtlMs: number;
  /** API requests per client address per minute (per API process). */
  requestsPerMinute: number;
  /** Largest file a patient may upload, in bytes (UPLOAD_MAX_MB). */
  uploadMaxBytes: number;
  /** Where a worker process serves /metrics (METRICS_PORT); undefined: it does not. */
  metricsPort: number | undefined;
  /** E-mail notices (SMTP_URL, MAIL_FROM); null when SMTP_URL is unset: no mail is sent. */
  mail: { smtpUrl: string; from: string } | null;
  /** How long audit events are kept (AUDIT_RETENTION_DAYS). */
  auditRetentionDays: number;
  sync: {
    everyMs: number;
    fullEveryMs: number;
    portalMaxConcurrency: number;
    /** PORTAL_REQUESTS_PER_MINUTE as written (parsed by the sync's limiter); undefined: no pacing beyond the in-flight limit. */
    portalRequestsPerMinute: string | undefined;
    maxPages: number;
    workerConcurrency: number;
  };
}

/** Thrown when the environment is wrong; the message is one line that names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": shells and compose files produce them easily.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const missing = cleaned[name] === undefined;
    const expected = missing || issue.message.startsWith('Invalid input') ? (EXPECTED[name] ?? 'a value') : issue.message;
    throw new ConfigError(`${name} ${missing ? 'is not set' : 'is malformed'}: expected ${expected}`);
  }
  const e = parsed.data;
  if (e.SMTP_URL !== undefined && e.MAIL_FROM === undefined) {
    throw new ConfigError('MAIL_FROM is not set: expected the sender of notices, e.g. "carebinder <binder@example.org>" (needed when SMTP_URL is set)');
  }
  const publicUrl = e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`;
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    secretKey: Buffer.from(e.CAREBINDER_SECRET_KEY, 'base64'),
    oldSecretKeys: parseOldKeys(e.CAREBINDER_OLD_SECRET_KEYS),
    logLevel: e.LOG_LEVEL,
    adminToken: e.ADMIN_TOKEN,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    requestsPerMinute: e.RATE_LIMIT_PER_MINUTE,
    uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024,
    metricsPort: e.METRICS_PORT,
    mail: e.SMTP_URL !== undefined && e.MAIL_FROM !== undefined ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM.trim() } : null,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    sync: {
      everyMs: e.SYNC_EVERY_HOURS * 3_600_000,
      fullEveryMs: e.FULL_SYNC_EVERY_DAYS * 86_400_000,
      portalMaxConcurrency: e.PORTAL_MAX_CONCURRENCY,
      portalRequestsPerMinute: e.PORTAL_REQUESTS_PER_MINUTE?.replace(/\s+/g, ''),
      maxPages: e.SYNC_MAX_PAGES,
      workerConcurrency: e.WORKER_CONCURRENCY,
    },
  };
}

function parseOldKeys(value: string | undefined): Buffer[] {
  if (!value) return [];
  return value.split(',').map((entry, index) => {
    const key = Buffer.from(entry.trim(), 'base64');
    if (key.length !== 32) {
      throw new ConfigError(`CAREBINDER_OLD_SECRET_KEYS is malformed: entry ${index + 1} is not 32 bytes in base64`);
    }
    return key;
  });
}
