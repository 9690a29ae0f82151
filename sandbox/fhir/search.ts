// FHIR R4 search as a typed value: parse the query once, then filter stored index entries.
// Parameters this server does not know are ignored (the spec's lenient handling) and left out
// of the self link, so a client can see what was applied.
import { badRequest } from '../errors.js';
import type { StoredResource } from '../store.js';
import { TOKEN_PARAMETERS, isCompartmentType, type SearchableType } from './resource-types.js';
import { tokensMatch } from './tokens.js';

export interface TokenFilter {
  readonly name: string;
  readonly alternatives: readonly string[];
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le';

export interface DateFilter {
  readonly prefix: DatePrefix;
  /** The parameter's value as a half-open range [fromMs, toMs) at its own precision. */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface SearchRequest {
  readonly resourceType: SearchableType;
  /** Values of `patient`/`subject`: references that must all name the token's patient. */
  readonly patientReferences: readonly string[];
  /** `_id` occurrences; each is a list of alternatives. */
  readonly ids: readonly (readonly string[])[];
  readonly tokens: readonly TokenFilter[];
  readonly lastUpdated: readonly DateFilter[];
  readonly count: number | undefined;
  readonly cursor: PageCursor | undefined;
  /** Understood parameters in request order, without paging state: the basis of self/next links. */
  readonly understood: ReadonlyArray<readonly [string, string]>;
}

/** Where a page starts: after the entry with this write sequence; `page` counts from 1. */
export interface PageCursor {
  readonly page: number;
  readonly afterSeq: number;
}

export const PAGE_TOKEN_PARAMETER = '_page_token';
const PATIENT_PARAMETERS = new Set(['patient', 'subject', 'patient:Patient', 'subject:Patient']);
const DATE_PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le'];

export function parseSearch(resourceType: SearchableType, params: URLSearchParams): SearchRequest {
  const patientReferences: string[] = [];
  const ids: string[][] = [];
  const tokens: TokenFilter[] = [];
  const lastUpdated: DateFilter[] = [];
  const understood: Array<[string, string]> = [];
  let count: number | undefined;
  let cursor: PageCursor | undefined;

  for (const [name, value] of params) {
    if (name === PAGE_TOKEN_PARAMETER) {
      cursor = decodePageToken(value);
    } else if (name === '_count') {
      count = parseCount(value);
      understood.push([name, value]);
    } else if (name === '_id') {
      ids.push(splitAlternatives(value));
      understood.push([name, value]);
    } else if (name === '_lastUpdated') {
      lastUpdated.push(parseDateFilter(value));
      understood.push([name, value]);
    } else if (PATIENT_PARAMETERS.has(name) && isCompartmentType(resourceType) && resourceType !== 'Patient') {
      patientReferences.push(...splitAlternatives(value));
      understood.push([name, value]);
    } else if (name in TOKEN_PARAMETERS[resourceType]) {
      tokens.push({ name, alternatives: splitAlternatives(value) });
      understood.push([name, value]);
    } else if (isModifiedKnownParameter(resourceType, name)) {
      throw badRequest(`The modifier in "${name}" is not supported`);
    }
  }
  return { resourceType, patientReferences, ids, tokens, lastUpdated, count, cursor, understood };
}

/** The filters of a v2 scope such as `patient/Observation.rs?category=laboratory`, parsed like a search. */
export function parseScopeQuery(resourceType: SearchableType, query: URLSearchParams): SearchRequest | undefined {
  try {
    const request = parseSearch(resourceType, query);
    // A scope restricted by a parameter this server does not know must not widen into "everything".
    const understoodNames = new Set(request.understood.map(([name]) => name));
    const allUnderstood = [...query.keys()].every((name) => understoodNames.has(name));
    return allUnderstood ? request : undefined;
  } catch {
    return undefined;
  }
}

export function matchesSearch(entry: StoredResource, request: SearchRequest): boolean {
  for (const alternatives of request.ids) if (!alternatives.includes(entry.id)) return false;
  for (const filter of request.tokens) if (!tokensMatch(entry.tokens[filter.name], filter.alternatives)) return false;
  for (const filter of request.lastUpdated) if (!dateMatches(entry.lastUpdatedMs, filter)) return false;
  return true;
}

/** A stable text form of the filters (not paging), for caching match lists. */
export function filterSignature(request: SearchRequest): string {
  return JSON.stringify([request.ids, request.tokens, request.lastUpdated]);
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(`${cursor.page}.${cursor.afterSeq}`).toString('base64url');
}

function decodePageToken(token: string): PageCursor {
  const match = /^(\d{1,9})\.(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw badRequest(`${PAGE_TOKEN_PARAMETER} is not a page token issued by this server`);
  return { page: Number(match[1]), afterSeq: Number(match[2]) };
}

function parseCount(value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw badRequest('_count must be a non-negative integer');
  return Number(value);
}

function splitAlternatives(value: string): string[] {
  // A comma inside a value is escaped as "\," (FHIR R4 §3.1.1.5.7).
  return value
    .split(/(?<!\\),/)
    .map((part) => part.replaceAll('\\,', ','))
    .filter((part) => part !== '');
}

function isModifiedKnownParameter(resourceType: SearchableType, name: string): boolean {
  const [base = '', modifier] = name.split(':');
  if (modifier === undefined) return false;
  return base === '_id' || base === '_lastUpdated' || base in TOKEN_PARAMETERS[resourceType];
}

function parseDateFilter(raw: string): DateFilter {
  const prefixed = /^[a-z]{2}/.exec(raw)?.[0];
  const prefix = (prefixed ?? 'eq') as DatePrefix;
  if (prefixed !== undefined && !DATE_PREFIXES.includes(prefix)) {
    throw badRequest(`_lastUpdated prefix "${prefixed}" is not supported (use eq, ne, gt, ge, lt or le)`);
  }
  const range = dateRange(prefixed === undefined ? raw : raw.slice(2));
  if (!range) throw badRequest(`_lastUpdated value "${raw}" is not a FHIR dateTime`);
  return { prefix, ...range };
}

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The instant range a dateTime of some precision stands for; a time without zone is read as UTC. */
function dateRange(value: string): { fromMs: number; toMs: number } | undefined {
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const numbers = [year, month ?? '1', day ?? '1', hour ?? '0', minute ?? '0', second ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  const [y, mo, d, h, mi, s] = numbers;
  const fractionMs = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const fromUtc = Date.UTC(y, mo - 1, d, h, mi, s, fractionMs);
  const offsetMs = zoneOffsetMs(zone);
  const fromMs = fromUtc - offsetMs;
  const toMs = (() => {
    if (month === undefined) return Date.UTC(y + 1, 0, 1) - offsetMs;
    if (day === undefined) return Date.UTC(y, mo, 1) - offsetMs;
    if (hour === undefined) return Date.UTC(y, mo - 1, d + 1) - offsetMs;
    if (second === undefined) return fromMs + 60_000;
    if (fraction === undefined) return fromMs + 1000;
    return fromMs + 1;
  })();
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) return undefined;
  return { fromMs, toMs };
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours = 0, minutes = 0] = zone.slice(1).split(':').map(Number);
  return sign * (hours * 60 + minutes) * 60_000;
}

/** FHIR R4 §3.1.1.4.2: compares an instant with the parameter's implicit range. */
function dateMatches(valueMs: number, filter: DateFilter): boolean {
  switch (filter.prefix) {
    case 'eq':
      return valueMs >= filter.fromMs && valueMs < filter.toMs;
    case 'ne':
      return valueMs < filter.fromMs || valueMs >= filter.toMs;
    case 'gt':
      return valueMs >= filter.toMs;
    case 'ge':
      return valueMs >= filter.fromMs;
    case 'lt':
      return valueMs < filter.fromMs;
    case 'le':
      return valueMs < filter.toMs;
  }
}
