// Issue 12, "layers point one way": infrastructure plugins import no domain code. A domain
// that an infrastructure plugin needs (the auth guard needs sessions) decorates the app in a
// plugin of its own, and the infrastructure plugin depends on it by name.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** What src/plugins may import inside src: infrastructure and the typed errors. */
const ALLOWED = [/^plugins\//, /^errors\.ts$/, /^db\//, /^crypto\/secret-box\.ts$/, /^queue\//, /^logger\.ts$/, /^config\.ts$/, /^util\//];

function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
}

describe('src/plugins', () => {
  const files = readdirSync(`${SRC}plugins`).filter((name) => name.endsWith('.ts'));

  it('has plugins to check', () => {
    expect(files).toEqual(expect.arrayContaining(['auth.ts', 'errors.ts', 'security.ts']));
  });

  it.each(files)('%s imports no domain code', (file) => {
    const outside = importsOf(readFileSync(`${SRC}plugins/${file}`, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => posix.normalize(posix.join('plugins', specifier)).replace(/\.js$/, '.ts'))
      .filter((target) => !ALLOWED.some((pattern) => pattern.test(target)));
    expect(outside).toEqual([]);
  });
});
