// The API's JSON shapes as the web client reads them: inferred from the server's contract
// (src/api, the zod schemas the routes use), so the client cannot drift from what the server
// sends. Type-only imports: zod does not enter the browser bundle.
import type { z } from 'zod';
import type * as api from '../../src/api/index.js';

/** Any error answer; read defensively, since a proxy in between may answer with something else. */
export type Problem = Partial<z.infer<typeof api.Problem>>;

export type Me = z.infer<typeof api.Account>;

export type Portal = z.infer<typeof api.Portal>;

export type LinkStatus = z.infer<typeof api.Link>['status'];
export type Link = z.infer<typeof api.Link>;

export type SyncState = z.infer<typeof api.SyncStatus>['state'];
export type SyncStatus = z.infer<typeof api.SyncStatus>;

export type ReferenceRange = z.infer<typeof api.ReferenceRange>;
export type ItemValue = z.infer<typeof api.ItemValue>;
export type ItemDose = z.infer<typeof api.ItemDose>;
export type ItemDocument = z.infer<typeof api.ItemDocument>;
export type Source = z.infer<typeof api.PortalSource>;
export type Item = z.infer<typeof api.Item>;

/** A category as GET /api/record lists it (its most recent items) and as GET /api/record/{category} pages it. */
export type CategorySummary = z.infer<typeof api.CategoryPage>;
export type CategoryPage = z.infer<typeof api.CategoryPage>;

export type DoseCount = z.infer<typeof api.MedicineDoseCount>;
export type Medicine = z.infer<typeof api.Medicine>;
export type RadiationCourse = z.infer<typeof api.RadiationCourse>;
export type LinkedTreatment = z.infer<typeof api.LinkedTreatment>;
export type SideEffect = z.infer<typeof api.SideEffect>;
export type PortalRef = z.infer<typeof api.PortalRef>;
export type Binder = z.infer<typeof api.Binder>;

export type ResourceDetail = z.infer<typeof api.ResourceDetail>;

export type Entry = z.infer<typeof api.Entry>;
/** What POST and PUT /api/entries take (defaults, such as a status, may be left out). */
export type EntryInput = z.input<typeof api.EntryInput>;
export type Upload = z.infer<typeof api.Upload>;

/** The binder's filters, as they appear in the page's query string and the API's. */
export type RecordFilter = z.input<typeof api.Filters>;

export type ExportSizes = z.infer<typeof api.ExportSizes>;

export type ShareContent = z.infer<typeof api.ShareContent>;
export type ShareState = z.infer<typeof api.Share>['state'];
export type Share = z.infer<typeof api.Share>;
export type ShareDetail = z.infer<typeof api.ShareDetail>;
export type ShareCreated = z.infer<typeof api.ShareCreated>;
export type CreateShare = z.input<typeof api.CreateShareBody>;

export type ChecklistState = z.infer<typeof api.ChecklistCategory>['status'];
export type ChecklistCategory = z.infer<typeof api.ChecklistCategory>;
export type ChecklistGap = z.infer<typeof api.ChecklistGap>;
export type Checklist = z.infer<typeof api.Checklist>;

export type RecordsRequest = z.infer<typeof api.RecordsRequest>;
export type NewRecordsRequest = z.input<typeof api.NewRecordsRequest>;
export type RecordsRequestUpdate = z.infer<typeof api.RecordsRequestUpdate>;
export type PatientDetails = z.infer<typeof api.PatientDetails>;
export type PatientDetailsUpdate = z.input<typeof api.PatientDetailsUpdate>;

export type AuditEvent = z.infer<typeof api.AuditEvent>;
export type AuditPage = z.infer<typeof api.AuditPage>;
export type NoticePreferences = z.infer<typeof api.NoticePreferences>;
export type NotificationSettings = z.infer<typeof api.NotificationSettings>;
