// The API's JSON shapes as the web client reads them (the contract in the API's route schemas).
// Optional fields may also arrive as null: the client treats both as "not known".

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

export interface Me {
  id: string;
  email: string;
  createdAt: string;
}

export interface Portal {
  id: string;
  name: string;
  fhirBaseUrl: string;
  brand: { logoUrl?: string; portalUrl?: string; portalName?: string; description?: string };
}

export type LinkStatus = 'active' | 'syncing' | 'needs-relink' | 'error';

export interface Link {
  id: string;
  portal: { id: string; name: string };
  portalPatientId: string;
  status: LinkStatus;
  statusReason: string | null;
  grantedScopes: string[];
  lastSync: { startedAt: string | null; finishedAt: string | null; state: string | null };
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  hasRefreshToken: boolean;
  createdAt: string;
}

/** `incomplete`: every record stored, some attachments not (named in `errors`; the next sync tries again). */
export type SyncState = 'idle' | 'queued' | 'running' | 'succeeded' | 'incomplete' | 'failed';

export interface SyncStatus {
  state: SyncState;
  jobId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  pagesDone: number;
  /** 0..1, an estimate. */
  progress: number;
  types: Record<string, { fetched: number; stored: number; rejected: number; pages: number }>;
  errors: string[];
  warnings: string[];
}

export interface ReferenceRange {
  low?: number | null;
  high?: number | null;
  text?: string | null;
}

export interface ItemValue {
  value: number | string;
  unit?: string | null;
  comparator?: string | null;
  referenceRange?: ReferenceRange | null;
  interpretation?: string | null;
}

export interface ItemDose {
  amount?: number | null;
  unit?: string | null;
  route?: string | null;
  frequency?: string | null;
  text?: string | null;
}

export interface ItemDocument {
  id: string;
  url: string;
  contentType: string | null;
  title: string | null;
}

export interface Source {
  portalId: string;
  portalName: string;
}

export interface Item {
  id: string;
  resourceType: string;
  title: string;
  date: string | null;
  endDate: string | null;
  status: string | null;
  value?: ItemValue | null;
  dose?: ItemDose | null;
  documents: ItemDocument[];
  sources: Source[];
}

export interface CategorySummary {
  id: string;
  title: string;
  description: string;
  count: number;
  items: Item[];
}

export interface CategoryPage extends CategorySummary {
  next: string | null;
}

export interface DoseCount {
  amount?: number | null;
  unit?: string | null;
  count: number;
}

export interface Medicine {
  ingredient: string;
  doses: DoseCount[];
  route?: string | null;
  frequency?: string | null;
  firstDate: string | null;
  lastDate: string | null;
  administrations: number;
  cycles: number;
  status: string | null;
  portals: string[];
  recordIds: string[];
}

export interface RadiationCourse {
  site?: string | null;
  modality?: string | null;
  totalDoseGy?: number | null;
  fractions?: number | null;
  startDate?: string | null;
  endDate?: string | null;
  portals: string[];
  recordIds: string[];
}

/** A treatment a side effect is linked to: words, or the summary's object form. */
export type LinkedTreatment = string | { name: string };

export interface SideEffect {
  what: string;
  firstNoted: string | null;
  linkedTreatment?: LinkedTreatment | null;
  linkedTreatments?: LinkedTreatment[] | null;
  continuedAfterTreatment: 'yes' | 'no' | 'unknown';
  clinicalStatus?: string | null;
  abatement?: string | null;
  portals: string[];
  recordIds: string[];
}

export interface PortalRef {
  id: string;
  name: string;
}

export interface Binder {
  categories: CategorySummary[];
  treatmentSummary: { medicines: Medicine[]; radiation: RadiationCourse[] };
  sideEffects: SideEffect[];
  portals: PortalRef[];
}

export interface ResourceDetail {
  resource: Record<string, unknown>;
  sources: Array<Source & { fetchedAt: string | null }>;
}

/** The binder's filters, as they appear in the page's query string and the API's. */
export interface RecordFilter {
  portal?: string;
  from?: string;
  to?: string;
}
