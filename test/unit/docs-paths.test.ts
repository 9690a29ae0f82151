// docs/architecture.md stays true: every repository path it names in backticks exists.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The backticked spans that look like repository paths (a top-level folder, then a slash). */
export function namedPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]).filter((span) => /^(src|web|workers|test|docs|sandbox|migrations|bench)\//.test(span));
}

describe('docs/architecture.md', () => {
  const paths = namedPaths(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));

  it('names files of the repository', () => {
    expect(paths.length).toBeGreaterThan(30);
  });

  it('names only files and folders that exist', () => {
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('would notice a path that does not exist', () => {
    expect(namedPaths('see `src/nowhere/missing.ts` and `GET /api/record`')).toEqual(['src/nowhere/missing.ts']);
    expect(existsSync(join(ROOT, 'src/nowhere/missing.ts'))).toBe(false);
  });
});
