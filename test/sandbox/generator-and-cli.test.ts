import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { allPages, launch, search, startTestSandbox } from './helpers.js';

const ROOT = path.join(import.meta.dirname, '../..');

describe('generated benchmark patients', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('creates exactly N resources, mostly Observations, behind a working login', async () => {
    const hospital = sandbox.hospital('riverside');
    const generated = hospital.admin.generatePatient({ patientId: 'bench-1', username: 'bench', password: 'pw', count: 2500 });
    expect(generated.resources).toBe(2500);
    expect(Object.values(generated.byType).reduce((a, b) => a + b, 0)).toBe(2500);
    expect(generated.byType.Observation / 2500).toBeGreaterThan(0.6);

    const tokens = await launch(hospital, { username: 'bench', password: 'pw' });
    expect(tokens.patient).toBe('bench-1');
    const pages = await allPages(hospital, tokens.access_token, 'Observation?_count=100');
    expect(pages[0].total).toBe(generated.byType.Observation);
    expect(pages[0].entry).toHaveLength(20); // riverside caps pages at 20
    expect(pages.flatMap((p) => p.entry!).length).toBe(generated.byType.Observation);
  });

  it('generates deterministically for a seed, and refuses a taken login or id', () => {
    const hospital = sandbox.hospital('northside');
    const a = hospital.admin.generatePatient({ patientId: 'seeded-a', username: 'seed-a', password: 'pw', count: 300, seed: 7 });
    const b = hospital.admin.generatePatient({ patientId: 'seeded-b', username: 'seed-b', password: 'pw', count: 300, seed: 7 });
    expect(a.byType).toEqual(b.byType);
    expect(() => hospital.admin.generatePatient({ patientId: 'seeded-c', username: 'seed-a', password: 'pw', count: 5 })).toThrow(/already exists/);
    expect(() => hospital.admin.generatePatient({ patientId: 'seeded-a', username: 'seed-z', password: 'pw', count: 5 })).toThrow(/already exists/);
  });

  it('generates over the admin endpoint, with documents that have readable Binary content', async () => {
    const hospital = sandbox.hospital('northside');
    const response = await fetch(`${new URL(hospital.fhirBaseUrl).origin}/admin/generate-patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patientId: 'bench-http', username: 'bench-http', password: 'pw', count: 1500 }),
    });
    expect(response.status).toBe(201);
    const tokens = await launch(hospital, { username: 'bench-http', password: 'pw' });
    const documents = await search(hospital, tokens.access_token, 'DocumentReference?_count=1');
    expect(documents.total).toBeGreaterThan(0);
    const binary = await fetch(documents.entry![0].resource.content![0].attachment.url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(binary.status).toBe(200);
  });
});

describe('npm run sandbox (sandbox/main.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one line per hospital, the login, a generated patient, and exits cleanly on SIGTERM', async () => {
    const configPath = path.join(dir, 'hospitals.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        hospitals: ['northside', 'riverside'].map((id, index) => ({
          id,
          name: `Test ${id}`,
          port: 0,
          signingSecret: `${id}-cli-test-secret-0123456789`,
          dataDir: path.join(ROOT, 'sandbox/data', id),
          maxPageSize: 30,
          patients: [{ username: 'jane', password: 'sandbox', patientId: index === 0 ? 'eJn7vQ2xRt5kLm9pWc4HsB3' : '41937702' }],
        })),
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts', '--config', configPath, '--generate', 'riverside/bench:500'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('Generated')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early:\n${lines.join('\n')}`)));
    });

    const hospitalLines = lines.filter((line) => line.startsWith('sandbox '));
    expect(hospitalLines).toHaveLength(2);
    const [northLine, riverLine] = hospitalLines.map((line) => line.split(' '));
    expect(northLine).toEqual(['sandbox', 'northside', expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/)]);
    expect(riverLine[1]).toBe('riverside');
    expect(lines.some((line) => line.includes('jane / sandbox'))).toBe(true);
    expect(lines.find((line) => line.startsWith('Generated'))).toContain('500 resources');
    expect((await fetch(`${northLine[2]}/metadata`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);
});
