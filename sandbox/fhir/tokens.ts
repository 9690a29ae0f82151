// FHIR token search: codes are indexed as "system|code" strings when a resource is stored,
// and matched against the four query forms of the spec (code, system|code, |code, system|).
import type { TokenParameter } from './resource-types.js';

/** Collects "system|code" for every code found at the parameter's element path. */
export function indexTokens(resource: object, parameter: TokenParameter): string[] {
  const tokens: string[] = [];
  for (const value of valuesAt(resource, parameter.path.split('.'))) {
    collectCodes(value, parameter.impliedSystem, tokens);
  }
  return tokens;
}

/** True when any indexed token satisfies any of the comma-separated alternatives. */
export function tokensMatch(tokens: readonly string[] | undefined, alternatives: readonly string[]): boolean {
  if (!tokens || tokens.length === 0) return false;
  return alternatives.some((alternative) => tokens.some((token) => tokenMatches(token, alternative)));
}

function tokenMatches(token: string, query: string): boolean {
  const bar = query.indexOf('|');
  const tokenCode = token.slice(token.indexOf('|') + 1);
  if (bar === -1) return tokenCode === query;
  const system = query.slice(0, bar);
  const code = query.slice(bar + 1);
  if (code === '') return token.startsWith(`${system}|`);
  return token === `${system}|${code}`;
}

function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return [value];
  if (typeof value !== 'object') return [];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head], rest);
}

function collectCodes(value: unknown, impliedSystem: string | undefined, into: string[]): void {
  if (typeof value === 'string') {
    into.push(`${impliedSystem ?? ''}|${value}`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as { coding?: unknown; system?: unknown; code?: unknown };
  if (Array.isArray(record.coding)) {
    for (const coding of record.coding) collectCodes(coding, impliedSystem, into);
    return;
  }
  if (typeof record.code === 'string') {
    const system = typeof record.system === 'string' ? record.system : '';
    into.push(`${system}|${record.code}`);
  }
}
