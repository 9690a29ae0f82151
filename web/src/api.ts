// Every call to the API: same-origin cookies, JSON bodies, problem+json errors as ApiError.
import { readProblem, retryAfterSeconds, withRetryTime } from './problem.js';
import type {
  AuditPage,
  Binder,
  CategoryPage,
  Checklist,
  CreateShare,
  ExportSizes,
  Entry,
  EntryInput,
  Link,
  Me,
  NewRecordsRequest,
  NoticePreferences,
  NotificationSettings,
  PatientDetails,
  PatientDetailsUpdate,
  Portal,
  Problem,
  RecordFilter,
  RecordsRequest,
  RecordsRequestUpdate,
  ResourceDetail,
  Share,
  ShareCreated,
  ShareDetail,
  SyncStatus,
  Upload,
} from './types.js';
import { filterQuery } from './urls.js';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** From Retry-After (a lock-out, a rate limit): how long to wait, in seconds. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    super(retryAfter === null ? detail : withRetryTime(detail, retryAfter, new Date()));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfter;
  }
}

/** The request never reached carebinder (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Could not reach carebinder. Check your connection and try again.', { cause });
    this.name = 'NetworkError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** What to tell the reader about a failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

interface RequestOptions {
  body?: unknown;
  /** A multipart body (a file upload); the browser sets its content type. */
  form?: FormData;
  signal?: AbortSignal;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (options.signal) init.signal = options.signal;
  if (options.body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  if (options.form) init.body = options.form;
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    // Only fetch's own failure means "unreachable"; a TypeError from our code must say what it is.
    if (isAbort(error)) throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new ApiError(
      response.status,
      readProblem(response.status, response.statusText, response.headers.get('content-type'), text),
      retryAfterSeconds(response.headers.get('retry-after'), new Date()),
    );
  }
  if (response.status === 204 || response.status === 205) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return undefined as T;
  return (await response.json()) as T;
}

const id = encodeURIComponent;

export const api = {
  me: (signal?: AbortSignal) => request<Me>('GET', '/api/me', { ...(signal ? { signal } : {}) }),
  /** 202 whether or not the address already has an account: sign in next to find out. */
  signUp: (email: string, password: string) => request<{ message: string }>('POST', '/api/accounts', { body: { email, password } }),
  signIn: (email: string, password: string) => request<unknown>('POST', '/api/session', { body: { email, password } }),
  signOut: () => request<void>('DELETE', '/api/session'),

  portals: (signal: AbortSignal) => request<{ portals: Portal[] }>('GET', '/api/portals', { signal }),
  links: (signal: AbortSignal) => request<{ links: Link[] }>('GET', '/api/links', { signal }),
  link: (portalId: string) => request<{ authorizeUrl: string; expiresInSeconds: number }>('POST', '/api/links', { body: { portalId } }),
  unlink: (linkId: string, deleteRecords: boolean) => request<void>('DELETE', `/api/links/${id(linkId)}${deleteRecords ? '?deleteRecords=true' : ''}`),
  startSync: (linkId: string) => request<{ jobId: string }>('POST', `/api/links/${id(linkId)}/sync`, { body: {} }),
  syncStatus: (linkId: string, signal: AbortSignal) => request<SyncStatus>('GET', `/api/links/${id(linkId)}/sync`, { signal }),

  record: (filter: RecordFilter, signal: AbortSignal) => request<Binder>('GET', `/api/record${filterQuery(filter)}`, { signal }),
  category: (category: string, filter: RecordFilter, cursor: string | null, signal: AbortSignal) =>
    request<CategoryPage>('GET', `/api/record/${id(category)}${filterQuery(filter, { limit: 50, cursor })}`, { signal }),
  resource: (resourceId: string, signal: AbortSignal) => request<ResourceDetail>('GET', `/api/resources/${id(resourceId)}`, { signal }),

  entries: (signal: AbortSignal) => request<{ entries: Entry[] }>('GET', '/api/entries', { signal }),
  addEntry: (body: EntryInput) => request<Entry>('POST', '/api/entries', { body }),
  changeEntry: (entryId: string, body: EntryInput) => request<Entry>('PUT', `/api/entries/${id(entryId)}`, { body }),
  deleteEntry: (entryId: string) => request<void>('DELETE', `/api/entries/${id(entryId)}`),

  uploads: (signal: AbortSignal) => request<{ uploads: Upload[] }>('GET', '/api/uploads', { signal }),
  upload: (form: FormData) => request<{ id: string }>('POST', '/api/uploads', { form }),
  deleteUpload: (uploadId: string) => request<void>('DELETE', `/api/uploads/${id(uploadId)}`),

  checklist: (signal: AbortSignal) => request<Checklist>('GET', '/api/checklist', { signal }),
  requests: (signal: AbortSignal) => request<{ requests: RecordsRequest[] }>('GET', '/api/requests', { signal }),
  createRequest: (body: NewRecordsRequest) => request<{ id: string; status: 'draft' }>('POST', '/api/requests', { body }),
  updateRequest: (requestId: string, body: RecordsRequestUpdate) => request<RecordsRequest>('PATCH', `/api/requests/${id(requestId)}`, { body }),
  details: (signal: AbortSignal) => request<PatientDetails>('GET', '/api/me/details', { signal }),
  saveDetails: (body: PatientDetailsUpdate) => request<PatientDetails>('PATCH', '/api/me', { body }),

  exportSizes: (signal: AbortSignal) => request<ExportSizes>('GET', '/api/record/exports', { signal }),
  shares: (signal: AbortSignal) => request<{ shares: Share[] }>('GET', '/api/shares', { signal }),
  share: (shareId: string, signal: AbortSignal) => request<ShareDetail>('GET', `/api/shares/${id(shareId)}`, { signal }),
  createShare: (body: CreateShare) => request<ShareCreated>('POST', '/api/shares', { body }),
  revokeShare: (shareId: string) => request<void>('DELETE', `/api/shares/${id(shareId)}`),

  audit: (cursor: string | null, signal: AbortSignal) => request<AuditPage>('GET', `/api/audit${cursor ? `?cursor=${id(cursor)}` : ''}`, { signal }),
  notifications: (signal: AbortSignal) => request<NotificationSettings>('GET', '/api/me/notifications', { signal }),
  saveNotifications: (body: NoticePreferences) => request<NotificationSettings>('PUT', '/api/me/notifications', { body }),
};

/** Where a request's letter downloads from. */
export const letterUrl = (requestId: string): string => `/api/requests/${id(requestId)}/letter.pdf`;
