import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyLines } from '../../../src/records/classify/stream.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function run(lines: readonly string[]): Promise<{ out: unknown[]; problems: string[]; skipped: number }> {
  const out: unknown[] = [];
  const problems: string[] = [];
  async function* source(): AsyncGenerator<string> {
    for (const line of lines) yield line;
  }
  const report = await classifyLines(source(), {
    writeLine: (line) => out.push(JSON.parse(line)),
    reportProblem: (message) => problems.push(message),
  });
  return { out, problems, skipped: report.skipped };
}

const immunization = (id: string) => JSON.stringify({ resourceType: 'Immunization', id, status: 'completed' });

describe('classifying a stream', () => {
  it('writes one line per NDJSON resource with its type, id and categories', async () => {
    const { out, skipped } = await run([immunization('i1'), '', JSON.stringify({ resourceType: 'Patient', id: 'p1' })]);
    expect(out).toEqual([
      { resourceType: 'Immunization', id: 'i1', categories: ['vaccines'] },
      { resourceType: 'Patient', id: 'p1', categories: [] },
    ]);
    expect(skipped).toBe(0);
  });

  it('reports malformed lines with their line number and skips them', async () => {
    const { out, problems, skipped } = await run([immunization('i1'), '{"resourceType": "Obs', '42', immunization('i2')]);
    expect(out).toHaveLength(2);
    expect(skipped).toBe(2);
    expect(problems[0]).toMatch(/^line 2: invalid JSON/);
    expect(problems[1]).toMatch(/^line 3: not a FHIR resource/);
  });

  it('classifies each entry of a one-line Bundle', async () => {
    const bundle = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: JSON.parse(immunization('a')) }, { resource: { resourceType: 'Patient', id: 'b' } }] };
    const { out } = await run([JSON.stringify(bundle)]);
    expect(out).toEqual([
      { resourceType: 'Immunization', id: 'a', categories: ['vaccines'] },
      { resourceType: 'Patient', id: 'b', categories: [] },
    ]);
  });

  it('reads a pretty-printed Bundle as one document', async () => {
    const bundle = { resourceType: 'Bundle', entry: [{ resource: JSON.parse(immunization('a')) }, { fullUrl: 'urn:x' }] };
    const { out, problems, skipped } = await run(JSON.stringify(bundle, null, 2).split('\n'));
    expect(out).toEqual([{ resourceType: 'Immunization', id: 'a', categories: ['vaccines'] }]);
    expect(skipped).toBe(1);
    expect(problems[0]).toMatch(/Bundle entry 2: no resource/);
  });
});

describe('npm run classify', () => {
  function cli(input: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/records/classify-cli.ts'], {
      cwd: REPO_ROOT,
      input,
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('exits 0 when every line was classified', () => {
    const result = cli(`${immunization('i1')}\n${immunization('i2')}\n`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '{"resourceType":"Immunization","id":"i1","categories":["vaccines"]}',
      '{"resourceType":"Immunization","id":"i2","categories":["vaccines"]}',
    ]);
    expect(result.stderr).toBe('');
  });

  it('exits 1 and names the line when a line was skipped', () => {
    const result = cli(`${immunization('i1')}\nnot json\n`);
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/line 2: invalid JSON/);
  });
});
