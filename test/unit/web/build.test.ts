import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWeb, JS_BUDGET_BYTES } from '../../../web/build.js';

const outDir = await mkdtemp(path.join(tmpdir(), 'carebinder-web-build-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('web build', () => {
  it('should write index.html naming its assets by content hash', async () => {
    const result = await buildWeb({ outDir });
    expect(result.files.map((f) => f.name).sort()).toEqual(['app.css', 'app.js', 'favicon.svg', 'index.html', 'shl.html', 'shl.js']);
    const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/src="\/app\.js\?v=[0-9a-f]{12}"/);
    expect(html).toMatch(/href="\/app\.css\?v=[0-9a-f]{12}"/);
    // The CSP allows no inline script: the page must not carry any.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(result.appCodeBytes).toBeLessThan(JS_BUDGET_BYTES);
    // The SMART Health Links viewer: a page of its own with its own script, and no inline script either.
    const viewer = await readFile(path.join(outDir, 'shl.html'), 'utf8');
    expect(viewer).toMatch(/src="\/shl\.js\?v=[0-9a-f]{12}"/);
    expect(viewer).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it("should bundle the client's own code and DOMPurify only: the API contract's types, not zod or the server", async () => {
    const result = await buildWeb({ outDir });
    expect(result.scriptInputs.some((input) => input.startsWith('web/src/'))).toBe(true);
    const foreign = result.scriptInputs.filter((input) => !input.startsWith('web/src/') && !input.startsWith('node_modules/dompurify/'));
    expect(foreign).toEqual([]);
  });

  it('should leave unchanged files alone and remove stale ones on a second run', async () => {
    const before = await stat(path.join(outDir, 'app.js'));
    await writeFile(path.join(outDir, 'old-chunk.js'), 'stale');
    const result = await buildWeb({ outDir });
    expect(result.files.every((f) => !f.written)).toBe(true);
    expect((await stat(path.join(outDir, 'app.js'))).mtimeMs).toBe(before.mtimeMs);
    await expect(stat(path.join(outDir, 'old-chunk.js'))).rejects.toThrow();
  });
});
