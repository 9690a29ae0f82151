// The records_requests table (migration 0014): one request for records to one provider. Every read
// and change a patient asks for is scoped to their account. A sent request is due 30 days later.
import type { Queryable } from '../db/pool.js';
import type { CategoryId } from '../records/categories.js';
import type { ChecklistGap } from '../records/checklist.js';

export type RequestState = 'draft' | 'sent' | 'received' | 'cancelled';
export type Delivery = 'electronic' | 'paper' | 'pickup';
/** HIPAA: a covered entity acts on a request for access within 30 days (45 CFR 164.524(b)(2)). */
export const DUE_DAYS = 30;

export interface RequestOrganization {
  name: string;
  address?: string;
  fax?: string;
  email?: string;
}

/** A gap as the request keeps it: the organization is the request's own. */
export type RequestGap = Omit<ChecklistGap, 'organization'>;

export interface RecordsRequest {
  id: string;
  accountId: string;
  status: RequestState;
  organization: RequestOrganization;
  categories: CategoryId[];
  gaps: RequestGap[];
  from: string | null;
  to: string | null;
  delivery: Delivery;
  createdAt: Date;
  sentAt: Date | null;
  receivedAt: Date | null;
  cancelledAt: Date | null;
}

export interface NewRecordsRequest {
  accountId: string;
  organization: RequestOrganization;
  categories: readonly CategoryId[];
  gaps: readonly RequestGap[];
  from: string | null;
  to: string | null;
  delivery: Delivery;
}

interface Row {
  id: string;
  account_id: string;
  status: RequestState;
  organization: RequestOrganization;
  categories: CategoryId[];
  gaps: RequestGap[];
  from_date: string | null;
  to_date: string | null;
  delivery: Delivery;
  created_at: Date;
  sent_at: Date | null;
  received_at: Date | null;
  cancelled_at: Date | null;
}

const COLUMNS = `id, account_id, status, organization, categories, gaps, from_date::text, to_date::text, delivery, created_at, sent_at, received_at, cancelled_at`;

const toRequest = (row: Row): RecordsRequest => ({
  id: row.id,
  accountId: row.account_id,
  status: row.status,
  organization: row.organization,
  categories: row.categories,
  gaps: row.gaps,
  from: row.from_date,
  to: row.to_date,
  delivery: row.delivery,
  createdAt: row.created_at,
  sentAt: row.sent_at,
  receivedAt: row.received_at,
  cancelledAt: row.cancelled_at,
});

/** When a sent request is due: 30 days after it was sent. */
export function dueAt(request: Pick<RecordsRequest, 'sentAt'>): Date | null {
  return request.sentAt ? new Date(request.sentAt.getTime() + DUE_DAYS * 86_400_000) : null;
}

/** Sent, neither received nor cancelled, and past its due date. */
export function isOverdue(request: Pick<RecordsRequest, 'status' | 'sentAt'>, now = new Date()): boolean {
  const due = dueAt(request);
  return request.status === 'sent' && due !== null && due.getTime() < now.getTime();
}

/** Which changes of state make sense: a received or cancelled request is finished. */
export function canMove(from: RequestState, to: Exclude<RequestState, 'draft'>): boolean {
  if (from === 'received' || from === 'cancelled') return false;
  return to !== 'sent' || from === 'draft' || from === 'sent';
}

export function createRequestRepository(db: Queryable) {
  return {
    async create(request: NewRecordsRequest): Promise<RecordsRequest> {
      const { rows } = await db.query<Row>(
        `INSERT INTO records_requests (account_id, organization, categories, gaps, from_date, to_date, delivery)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) RETURNING ${COLUMNS}`,
        [request.accountId, request.organization, request.categories, JSON.stringify(request.gaps), request.from, request.to, request.delivery],
      );
      return toRequest(rows[0]);
    },

    async listForAccount(accountId: string): Promise<RecordsRequest[]> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM records_requests WHERE account_id = $1 ORDER BY created_at DESC, id`, [accountId]);
      return rows.map(toRequest);
    },

    async findForAccount(id: string, accountId: string): Promise<RecordsRequest | null> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM records_requests WHERE id = $1 AND account_id = $2`, [id, accountId]);
      return rows[0] ? toRequest(rows[0]) : null;
    },

    /** Moves the request to a new state, only from the state the caller saw (a concurrent change wins). */
    async move(id: string, accountId: string, from: RequestState, to: Exclude<RequestState, 'draft'>, at: Date): Promise<RecordsRequest | null> {
      const column = to === 'sent' ? 'sent_at' : to === 'received' ? 'received_at' : 'cancelled_at';
      const { rows } = await db.query<Row>(
        `UPDATE records_requests SET status = $4, ${column} = $5, updated_at = now()
          WHERE id = $1 AND account_id = $2 AND status = $3 RETURNING ${COLUMNS}`,
        [id, accountId, from, to, at],
      );
      return rows[0] ? toRequest(rows[0]) : null;
    },
  };
}

export type RequestRepository = ReturnType<typeof createRequestRepository>;
