import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/db/pool.js';
import { testEnv, uniquePrefix } from '../helpers/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = testEnv();
const suffix = uniquePrefix('cli').slice(-8);
let pool: Pool;

function portals(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/portals/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

beforeAll(() => {
  pool = createPool(env.DATABASE_URL!, 'cli-test', 2);
});
afterAll(async () => pool.end());

describe('the portals admin CLI', () => {
  it('adds, lists and removes a portal, sealing its client secret', async () => {
    const id = `mercy-${suffix}`;
    const added = portals('add', '--id', id, '--name', 'Mercy Health', '--fhir-base-url', 'https://fhir.mercy.example/R4/', '--client-id', 'abc', '--client-secret', 'shh-secret');
    expect(added.stderr).toBe('');
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
