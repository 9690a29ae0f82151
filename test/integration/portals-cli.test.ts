import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createPortalRegistry } from '../../src/portals/registry.js';
import { TEST_SECRET_KEY, testEnv, uniquePrefix } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = testEnv();
const suffix = uniquePrefix('cli').slice(-8);
let pool: Pool;

function portals(...args: string[]) {
  return portalsWithInput('', ...args);
}

function portalsWithInput(input: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/portals/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    input,
    timeout: 30_000,
  });
}

/** The client secret as the app will read it (opened from the sealed column). */
async function storedSecret(id: string): Promise<string | undefined> {
  return createPortalRegistry(pool, createSecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'))).clientSecret(id);
}

const ADD = (id: string) => ['add', '--id', id, '--name', 'Mercy Health', '--fhir-base-url', 'https://fhir.mercy.example/R4', '--client-id', 'abc'];

beforeAll(() => {
  pool = createPool(env.DATABASE_URL!, 'cli-test', 2);
});
afterAll(async () => pool.end());

describe('the portals admin CLI', () => {
  it('adds, lists and removes a portal, sealing its client secret', async () => {
    const id = `mercy-${suffix}`;
    const added = portals('add', '--id', id, '--name', 'Mercy Health', '--fhir-base-url', 'https://fhir.mercy.example/R4/', '--client-id', 'abc', '--client-secret', 'shh-secret');
    // Still accepted on the command line, with a warning that `ps` shows it.
    expect(added.stderr).toMatch(/^portals: warning: --client-secret is visible to other users in `ps`.*--client-secret-stdin or --client-secret-file\n$/);
    expect(added.stdout).toContain(`portal ${id} saved (https://fhir.mercy.example/R4, confidential client)`);
    const { rows } = await pool.query<{ client_secret_enc: string }>('SELECT client_secret_enc FROM portals WHERE id = $1', [id]);
    expect(rows[0].client_secret_enc).not.toContain('shh-secret');

    const listed = portals('list', '--json');
    const list = JSON.parse(listed.stdout) as Array<{ id: string; confidential: boolean }>;
    expect(list.find((p) => p.id === id)).toMatchObject({ confidential: true });
    expect(listed.stdout).not.toContain('shh-secret');

    expect(portals('remove', '--id', id).stdout).toContain(`portal ${id} removed`);
    expect(portals('remove', '--id', id)).toMatchObject({ status: 2, stderr: expect.stringContaining(`no portal "${id}"`) });
  });

  it('reads the client secret from standard input, so it never shows in `ps`', async () => {
    const id = `stdin-${suffix}`;
    const added = portalsWithInput('from-stdin-secret\n', ...ADD(id), '--client-secret-stdin');
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`portal ${id} saved (https://fhir.mercy.example/R4, confidential client)`);
    expect(await storedSecret(id)).toBe('from-stdin-secret');
    expect(portals('remove', '--id', id).status).toBe(0);
  });

  it('reads the client secret from a file, dropping its final line break', async () => {
    const id = `file-${suffix}`;
    const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'client-secret');
    writeFileSync(file, 'from-file-secret\r\n', { mode: 0o600 });
    const added = portals(...ADD(id), '--client-secret-file', file);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('confidential client');
    expect(await storedSecret(id)).toBe('from-file-secret');
    expect(portals('remove', '--id', id).status).toBe(0);
  });

  it.each([
    ['an empty standard input', ['--client-secret-stdin'], '', /standard input gave an empty client secret/],
    ['two lines on standard input', ['--client-secret-stdin'], 'a\nb\n', /more than one line/],
    ['a missing file', ['--client-secret-file', '/nonexistent/secret'], '', /cannot read \/nonexistent\/secret/],
    ['two sources at once', ['--client-secret-stdin', '--client-secret', 'x'], 'y\n', /give the client secret once/],
  ])('refuses %s in one line, exit 2, saving nothing', async (_, options, input, message) => {
    const id = `bad-secret-${suffix}`;
    const refused = portalsWithInput(input, ...ADD(id), ...options);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(message);
    const { rows } = await pool.query('SELECT 1 FROM portals WHERE id = $1', [id]);
    expect(rows).toHaveLength(0);
  });

  it('explains a bad argument in one line and exits 2', () => {
    const bad = portals('add', '--id', 'Bad Id!', '--name', 'x', '--fhir-base-url', 'https://x.example', '--client-id', 'c');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('portals: --id must be lowercase letters, digits, ".", "_" or "-" (at most 63)');
    const url = portals('add', '--id', 'ok', '--name', 'x', '--fhir-base-url', 'ftp://x', '--client-id', 'c');
    expect(url.stderr.trim()).toBe('portals: --fhir-base-url must be an http(s) URL');
  });

  it('imports a SMART User-access Brands bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brands-'));
    const file = join(dir, 'brands.json');
    writeFileSync(
      file,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { fullUrl: 'urn:uuid:o1', resource: { resourceType: 'Organization', id: `lake-${suffix}`, name: 'Lakeview', endpoint: [{ reference: 'Endpoint/e1' }] } },
          { fullUrl: 'urn:uuid:e1', resource: { resourceType: 'Endpoint', id: 'e1', address: 'https://fhir.lakeview.example/R4' } },
        ],
      }),
    );
    const imported = portals('import-brands', '--file', file, '--client-id', 'lake-client');
    expect(imported.stdout).toContain(`portal lake-${suffix} saved (https://fhir.lakeview.example/R4)`);
    expect(portals('remove', '--id', `lake-${suffix}`).status).toBe(0);
  });
});
