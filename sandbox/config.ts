// The sandbox's configuration file (sandbox/hospitals.json): one entry per hospital.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { faultSwitchesSchema } from './faults.js';

/** Where sandbox/ lives: the default config and data are resolved from here. */
export const SANDBOX_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CONFIG_PATH = path.join(SANDBOX_DIR, 'hospitals.json');

const clientSchema = z
  .strictObject({
    clientId: z.string().min(1),
    name: z.string().min(1).optional(),
    type: z.enum(['public', 'confidential']),
    /** Required for confidential clients, which authenticate with client_secret_basic. */
    secret: z.string().min(1).optional(),
    /** Exact-match redirect URIs (RFC 6749 §3.1.2). */
    redirectUris: z.array(z.url()).default([]),
    /** Also accept any loopback redirect on any port (RFC 8252 §7.3). */
    loopbackRedirects: z.boolean().default(false),
  })
  .refine((client) => client.type === 'public' || client.secret !== undefined, {
    message: 'a confidential client needs a secret',
  });

const patientAccountSchema = z.strictObject({
  /** Portal sign-in. */
  username: z.string().min(1),
  password: z.string().min(1),
  /** The Patient resource this login sees; it must exist in the hospital's data. */
  patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
});

const lifetimesSchema = z.strictObject({
  accessTokenSeconds: z.number().int().min(1).default(3600),
  refreshTokenSeconds: z.number().int().min(1).default(90 * 24 * 3600),
  authorizationCodeSeconds: z.number().int().min(1).default(60),
});

export const hospitalConfigSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  /** Which vendor's habits the data imitates; informative only. */
  style: z.enum(['epic', 'cerner', 'generic']).default('generic'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65_535),
  /** Signs this hospital's access tokens (HS256); tokens of one hospital mean nothing at another. */
  signingSecret: z.string().min(16),
  /** NDJSON files (`*.ndjson`, one resource a line) loaded at start; relative to the config file. */
  dataDir: z.string().min(1),
  /** Largest `_count` honoured; larger requests are capped. */
  maxPageSize: z.number().int().min(1).max(1000),
  /** Page size when `_count` is absent; defaults to maxPageSize. */
  defaultPageSize: z.number().int().min(1).optional(),
  /** `["v1"]` makes a hospital that grants and advertises only SMART v1 scopes. */
  scopeVersions: z.array(z.enum(['v1', 'v2'])).min(1).default(['v1', 'v2']),
  lifetimes: lifetimesSchema.prefault({}),
  patients: z.array(patientAccountSchema).min(1),
  clients: z.array(clientSchema).default([]),
  faults: faultSwitchesSchema.default({}),
  /** The /admin routes; the in-process admin handle works either way. */
  adminRoutes: z.boolean().default(true),
});

export const sandboxConfigSchema = z.strictObject({
  hospitals: z.array(hospitalConfigSchema).min(1),
});

/** The configuration as written (defaults optional). */
export type SandboxConfig = z.input<typeof sandboxConfigSchema>;
export type HospitalConfigInput = z.input<typeof hospitalConfigSchema>;
/** The configuration after defaults are applied and dataDir is absolute. */
export type HospitalConfig = z.output<typeof hospitalConfigSchema>;
export type ClientConfig = HospitalConfig['clients'][number];
export type PatientAccount = HospitalConfig['patients'][number];
export type ScopeVersion = HospitalConfig['scopeVersions'][number];

/** Validates a configuration; relative data directories are resolved against `baseDir`. */
export function resolveConfig(config: SandboxConfig, baseDir: string): HospitalConfig[] {
  const parsed = sandboxConfigSchema.parse(config);
  assertUnique(parsed.hospitals.map((h) => h.id), 'hospital id');
  return parsed.hospitals.map((hospital) => ({
    ...hospital,
    dataDir: path.resolve(baseDir, hospital.dataDir),
  }));
}

export async function loadConfigFile(configPath: string): Promise<HospitalConfig[]> {
  const text = await readFile(configPath, 'utf8');
  return resolveConfig(JSON.parse(text) as SandboxConfig, path.dirname(path.resolve(configPath)));
}

function assertUnique(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new Error(`duplicate ${what}: ${value}`);
    seen.add(value);
  }
}
