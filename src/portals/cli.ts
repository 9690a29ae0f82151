// npm run --silent portals -- <command>: the deployment admin's registry of portals.
//   add --id <id> --name <name> --fhir-base-url <url> --client-id <id> [<secret>]
//       [--scopes "<scopes>"] [--logo-url <url>] [--portal-url <url>]
//   list
//   remove --id <id>
//   import-brands --file <brands-bundle.json> --client-id <id> [<secret>]
// <secret>, for a confidential client, is one of --client-secret-stdin (read from standard input),
// --client-secret-file <path>, or --client-secret <secret>, which other users of the machine can
// read in `ps` and which lands in shell history (a warning says so).
// Needs DATABASE_URL and CAREBINDER_SECRET_KEY (client secrets are sealed with it).
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { exitOnStartupError } from '../startup.js';
import { portalsFromBrandsBundle } from './brands.js';
import { createPortalRegistry, PORTAL_ID_PATTERN } from './registry.js';

const httpUrl = z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s) URL');

const AddArgs = z.object({
  id: z.string().regex(PORTAL_ID_PATTERN, 'must be lowercase letters, digits, ".", "_" or "-" (at most 63)'),
  name: z.string().min(1, 'is required'),
  'fhir-base-url': httpUrl,
  'client-id': z.string().min(1, 'is required'),
  scopes: z.string().min(1).optional(),
  'logo-url': httpUrl.optional(),
  'portal-url': httpUrl.optional(),
});

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function validate<T>(schema: z.ZodType<T>, values: unknown): T {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`--${String(issue.path[0])} ${issue.code === 'invalid_type' ? 'is required' : issue.message}`);
  }
  return parsed.data;
}

/** One line of secret: a trailing line break (an editor's, or echo's) is not part of it. */
function secretLine(raw: string, from: string): string {
  const secret = raw.replace(/\r?\n$/, '');
  if (!secret) fail(`${from} gave an empty client secret`);
  if (/[\r\n]/.test(secret)) fail(`${from} holds more than one line; the client secret must be one line`);
  return secret;
}

/** The client secret from exactly one of its three options, or undefined for a public client. */
async function clientSecretOption(values: { 'client-secret'?: string; 'client-secret-stdin'?: boolean; 'client-secret-file'?: string }): Promise<string | undefined> {
  const given = [values['client-secret'] !== undefined, values['client-secret-stdin'] === true, values['client-secret-file'] !== undefined].filter(Boolean).length;
  if (given > 1) fail('give the client secret once: --client-secret-stdin, --client-secret-file or --client-secret');
  if (values['client-secret-stdin']) {
    if (process.stdin.isTTY) process.stderr.write('client secret (one line, then Ctrl+D): ');
    return secretLine(await text(process.stdin), 'standard input');
  }
  const file = values['client-secret-file'];
  if (file !== undefined) {
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (error) {
      fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return secretLine(raw, file);
  }
  const inline = values['client-secret'];
  if (inline === undefined) return undefined;
  if (!inline) fail('--client-secret is empty');
  console.error('portals: warning: --client-secret is visible to other users in `ps` and stays in shell history; prefer --client-secret-stdin or --client-secret-file');
  return inline;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      'fhir-base-url': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'client-secret-stdin': { type: 'boolean' },
      'client-secret-file': { type: 'string' },
      scopes: { type: 'string' },
      'logo-url': { type: 'string' },
      'portal-url': { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  if (!command || !['add', 'list', 'remove', 'import-brands'].includes(command)) {
    fail('usage: portals add|list|remove|import-brands [options] (see the README)');
  }
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 'carebinder-portals-cli', 2);
  const registry = createPortalRegistry(pool, createSecretBox(config.secretKey, config.oldSecretKeys));
  try {
    switch (command) {
      case 'add': {
        const args = validate(AddArgs, values);
        const clientSecret = await clientSecretOption(values);
        const portal = await registry.upsert({
          id: args.id,
          name: args.name,
          fhirBaseUrl: args['fhir-base-url'],
          clientId: args['client-id'],
          clientSecret,
          scopes: args.scopes,
          brand: { ...(args['logo-url'] ? { logoUrl: args['logo-url'] } : {}), ...(args['portal-url'] ? { portalUrl: args['portal-url'] } : {}) },
        });
        console.log(`portal ${portal.id} saved (${portal.fhirBaseUrl}${portal.hasClientSecret ? ', confidential client' : ', public client'})`);
        break;
      }
      case 'list': {
        const portals = await registry.list();
        if (values.json) console.log(JSON.stringify(portals.map(({ hasClientSecret, ...p }) => ({ ...p, confidential: hasClientSecret }))));
        else if (portals.length === 0) console.log('no portals registered');
        else for (const p of portals) console.log(`${p.id}\t${p.name}\t${p.fhirBaseUrl}\tclient_id=${p.clientId}${p.hasClientSecret ? ' (confidential)' : ''}`);
        break;
      }
      case 'remove': {
        const id = values.id ?? fail('--id is required');
        const outcome = await registry.remove(id);
        if (outcome === 'not-found') fail(`no portal "${id}"`);
        if (outcome === 'has-links') fail(`portal "${id}" still has patient links (their records refer to it); it stays`);
        console.log(`portal ${id} removed`);
        break;
      }
      case 'import-brands': {
        const file = values.file ?? fail('--file is required');
        const clientId = values['client-id'] ?? fail('--client-id is required');
        const clientSecret = await clientSecretOption(values);
        let bundle: unknown;
        try {
          bundle = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        const portals = portalsFromBrandsBundle(bundle);
        if (portals.length === 0) fail(`${file} has no Organization with a usable FHIR Endpoint`);
        for (const portal of portals) {
          await registry.upsert({ ...portal, clientId, clientSecret });
          console.log(`portal ${portal.id} saved (${portal.fhirBaseUrl})`);
        }
        break;
      }
    }
  } finally {
    await pool.end();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof Error && error.name === 'BrandsBundleError')) {
    console.error(`portals: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`portals: ${error.message}`);
    process.exit(2);
  }
  exitOnStartupError(error);
}
