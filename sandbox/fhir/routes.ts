// The FHIR R4 API of one hospital: discovery (unauthenticated), then read and search-type
// interactions for the patient compartment, the shared resources it references, and Binary.
// Every data request needs a bearer token and sees only its own patient within its scopes.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Binary } from 'fhir/r4.js';
import { FhirError, badRequest, forbidden, notFound } from '../errors.js';
import type { HospitalContext } from '../hospital-context.js';
import { openIdConfiguration, smartConfiguration } from '../oauth/discovery.js';
import { grantsFor, resourceGrants } from '../oauth/scopes.js';
import type { ActiveAccessToken } from '../oauth/state.js';
import { patientIdOf, type StoredResource } from '../store.js';
import { searchsetJson, type BundleLink } from './bundle.js';
import { capabilityStatement } from './capability.js';
import { pageOf, type Page } from './paging.js';
import { BINARY, isCompartmentType, isSearchableType, isSupportedType, type SearchableType } from './resource-types.js';
import {
  PAGE_TOKEN_PARAMETER,
  encodePageToken,
  filterSignature,
  matchesSearch,
  parseScopeQuery,
  parseSearch,
  type PageCursor,
  type SearchRequest,
} from './search.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function registerFhirRoutes(app: FastifyInstance, hospital: HospitalContext, requestFaults: onRequestAsyncHookHandler): void {
  app.get('/fhir/metadata', async (_request, reply) => fhirJson(reply, capabilityStatement(hospital)));
  app.get('/fhir/.well-known/smart-configuration', async () => smartConfiguration(hospital));
  app.get('/fhir/.well-known/openid-configuration', async () => openIdConfiguration(hospital));

  app.get<{ Params: { type: string } }>('/fhir/:type', { onRequest: requestFaults }, async (request, reply) =>
    search(hospital, request, reply, request.params.type, queryOf(request)),
  );
  app.post<{ Params: { type: string } }>('/fhir/:type/_search', { onRequest: requestFaults }, async (request, reply) =>
    search(hospital, request, reply, request.params.type, mergeParams(queryOf(request), request.body)),
  );
  app.get<{ Params: { type: string; id: string } }>('/fhir/:type/:id', { onRequest: requestFaults }, async (request, reply) =>
    request.params.type === BINARY
      ? readBinary(hospital, request, reply, request.params.id)
      : read(hospital, request, reply, request.params.type, request.params.id),
  );
}

// ---- search --------------------------------------------------------------------------------------

async function search(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply, type: string, params: URLSearchParams): Promise<FastifyReply> {
  if (!isSearchableType(type)) throw unknownType(type);
  const token = await authenticate(hospital, request);
  const access = accessRule(token, type, 'search');
  const query = parseSearch(type, params);
  const patientId = token.grant.patientId;
  assertOwnPatient(query.patientReferences, patientId);

  const cacheKey = [patientId, type, filterSignature(query), access.signature].join('\u0000');
  const matches = hospital.matchCache.get(cacheKey, hospital.store.version, () =>
    candidatesFor(hospital, type, patientId).filter((entry) => matchesSearch(entry, query) && access.allows(entry)),
  );
  const page = pageOf(matches, query.cursor, hospital.pageSize(query.count));
  return fhirJsonText(reply, searchsetBody(hospital, query, page, patientId));
}

/** The page's Bundle text, with any page-level fault switched on for this page applied. */
function searchsetBody(hospital: HospitalContext, query: SearchRequest, page: Page, patientId: string): string {
  const { faults, urls } = hospital;
  const type = query.resourceType;
  const size = hospital.pageSize(query.count);
  const links: BundleLink[] = [{ relation: 'self', url: searchUrl(hospital, query, size, page.number > 1 ? query.cursor : undefined) }];
  if (faults.firesOnPage('loopingNext', type, page.number)) {
    links.push({ relation: 'next', url: searchUrl(hospital, query, size, undefined) });
  } else if (page.next) {
    links.push({ relation: 'next', url: searchUrl(hospital, query, size, page.next) });
  }

  let entries = page.entries;
  if (faults.firesOnPage('foreignResource', type, page.number)) {
    const foreign = anotherPatientsResource(hospital, type, patientId);
    if (foreign) entries = [...entries.slice(0, 1), foreign, ...entries.slice(1)];
  }
  const body = searchsetJson(urls.fhirBase, page.total, links, entries);
  // Truncated mid-document, as when a proxy cuts a response short.
  return faults.firesOnPage('malformedPage', type, page.number) ? body.slice(0, Math.floor(body.length / 2)) : body;
}

function searchUrl(hospital: HospitalContext, query: SearchRequest, size: number, cursor: PageCursor | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of query.understood) if (name !== '_count') params.append(name, value);
  params.set('_count', String(size));
  if (cursor) params.set(PAGE_TOKEN_PARAMETER, encodePageToken(cursor));
  return `${hospital.urls.fhirBase}/${query.resourceType}?${params.toString()}`;
}

function candidatesFor(hospital: HospitalContext, type: SearchableType, patientId: string): readonly StoredResource[] {
  if (type === 'Patient') {
    const patient = hospital.store.get('Patient', patientId);
    return patient ? [patient] : [];
  }
  return isCompartmentType(type) ? hospital.store.compartment(patientId, type) : hospital.store.shared(type);
}

/** For the foreignResource fault: a real resource of some other patient, of the same type if possible. */
function anotherPatientsResource(hospital: HospitalContext, type: SearchableType, patientId: string): StoredResource | undefined {
  const others = hospital.store.patientIds().filter((id) => id !== patientId);
  for (const other of others) {
    const sameType = type === 'Patient' ? hospital.store.get('Patient', other) : hospital.store.compartment(other, type)[0];
    if (sameType) return sameType;
  }
  const fallback = others[0];
  return fallback === undefined ? undefined : hospital.store.get('Patient', fallback);
}

function assertOwnPatient(references: readonly string[], patientId: string): void {
  for (const reference of references) {
    const named = patientIdOf(reference) ?? reference;
    if (named !== patientId) throw forbidden('This access token is for another patient');
  }
}

// ---- read ----------------------------------------------------------------------------------------

async function read(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply, type: string, id: string): Promise<FastifyReply> {
  if (!isSupportedType(type)) throw unknownType(type);
  const token = await authenticate(hospital, request);
  const access = accessRule(token, type, 'read');
  const entry = visibleEntry(hospital, token, type, id);
  if (!access.allows(entry)) throw forbidden(`The token's scopes do not cover ${type}/${id}`);
  reply.header('etag', `W/"${entry.versionId}"`).header('last-modified', new Date(entry.lastUpdatedMs).toUTCString());
  return fhirJsonText(reply, entry.json);
}

async function readBinary(hospital: HospitalContext, request: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  const token = await authenticate(hospital, request);
  // Documents are useless without their content, so a token that can read DocumentReference
  // or DiagnosticReport may fetch their Binary attachments as well.
  const grants = resourceGrants(token.scope);
  const allowed = [BINARY, 'DocumentReference', 'DiagnosticReport'].some((type) => grantsFor(grants, type, 'read').length > 0);
  if (!allowed) throw forbidden('The token has no scope to read Binary or DocumentReference');
  const entry = visibleEntry(hospital, token, BINARY, id);
  const binary = hospital.store.parse(entry) as Binary;
  reply.header('etag', `W/"${entry.versionId}"`).header('last-modified', new Date(entry.lastUpdatedMs).toUTCString());
  if (wantsFhirResource(request.headers.accept, binary.contentType)) return fhirJsonText(reply, entry.json);
  return reply.type(binary.contentType).send(Buffer.from(binary.data ?? '', 'base64'));
}

/** A resource the token's patient may see; others' resources are "not found", not "forbidden", to reveal nothing. */
function visibleEntry(hospital: HospitalContext, token: ActiveAccessToken, type: string, id: string): StoredResource {
  const entry = hospital.store.get(type, id);
  if (!entry) {
    if (hospital.store.wasDeleted(type, id)) throw new FhirError(410, 'deleted', `${type}/${id} has been deleted`);
    throw notFound(`${type}/${id}`);
  }
  if (entry.patientId !== undefined && entry.patientId !== token.grant.patientId) throw notFound(`${type}/${id}`);
  return entry;
}

/** FHIR R4 §3.2.0.8: with Accept fhir+json the Binary resource itself, otherwise its raw content. */
function wantsFhirResource(accept: string | undefined, contentType: string): boolean {
  if (accept === undefined) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  if (types.includes(contentType.toLowerCase())) return false;
  return types.includes('application/fhir+json') || types.includes('application/json');
}

// ---- authorization -------------------------------------------------------------------------------

async function authenticate(hospital: HospitalContext, request: FastifyRequest): Promise<ActiveAccessToken> {
  const realm = `Bearer realm="${hospital.urls.fhirBase}"`;
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    throw new FhirError(401, 'login', 'An access token is required', { 'www-authenticate': realm });
  }
  const check = await hospital.auth.checkAccessToken(match[1]);
  if (!check.ok) {
    throw new FhirError(401, check.reason.includes('expired') ? 'expired' : 'security', check.reason, {
      'www-authenticate': `${realm}, error="invalid_token", error_description="${check.reason}"`,
    });
  }
  return check.token;
}

interface AccessRule {
  allows(entry: StoredResource): boolean;
  /** Distinguishes match lists computed under different scope filters. */
  readonly signature: string;
}

/** What the token's scopes let it read or search of a type; throws 403 when nothing. */
function accessRule(token: ActiveAccessToken, type: string, action: 'read' | 'search'): AccessRule {
  const grants = grantsFor(resourceGrants(token.scope), type, action);
  if (grants.length === 0) throw forbidden(`The token's scopes do not allow ${action} of ${type}`);
  if (grants.some((grant) => grant.query === undefined) || !isSearchableType(type)) {
    return { allows: () => true, signature: '' };
  }
  const filters = grants.map((grant) => parseScopeQuery(type, grant.query as URLSearchParams));
  return {
    allows: (entry) => filters.some((filter) => filter !== undefined && matchesSearch(entry, filter)),
    signature: grants.map((grant) => grant.query?.toString()).join('&&'),
  };
}

// ---- helpers -------------------------------------------------------------------------------------

function unknownType(type: string): FhirError {
  return new FhirError(404, 'not-supported', `Resource type "${type}" is not supported by this server`);
}

function queryOf(request: FastifyRequest): URLSearchParams {
  return new URL(request.url, 'http://sandbox.invalid').searchParams;
}

/** POST _search: parameters may come in both the URL and the form body. */
function mergeParams(params: URLSearchParams, body: unknown): URLSearchParams {
  if (body === undefined || body === null) return params;
  if (typeof body !== 'object') throw badRequest('_search takes application/x-www-form-urlencoded parameters');
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  return params;
}

function fhirJson(reply: FastifyReply, body: object): FastifyReply {
  return fhirJsonText(reply, JSON.stringify(body));
}

function fhirJsonText(reply: FastifyReply, body: string): FastifyReply {
  return reply.type(FHIR_JSON).send(body);
}
