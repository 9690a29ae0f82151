// The audit trail's store: append-only rows of audit_events (migration 0016; a trigger refuses
// UPDATE and DELETE). An event says who (the account), what (action and target), when, and from
// where (address, user agent). Targets name ids and kinds only ("resource:DiagnosticReport/abc",
// "export:pdf"), never a title, a value or anything else read from a record.
import type { Queryable } from '../db/pool.js';

/** Everything the trail records. A new action needs no migration: the column takes any such name. */
export const AUDIT_ACTIONS = [
  'sign-in',
  'sign-in.failed',
  'sign-in.held-back',
  'sign-out',
  'record.read',
  'resource.read',
  'document.read',
  'export.read',
  'share.create',
  'share.revoke',
  'share.read',
  'share.read-refused',
  'link.start',
  'link.create',
  'link.remove',
  'upload.create',
  'upload.delete',
  'notices.update',
  'notices.unsubscribe',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface NewAuditEvent {
  accountId: string;
  action: AuditAction;
  /** What was acted on, as `kind:id`; null when the action is about the account itself. */
  target: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEvent {
  at: Date;
  action: string;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const USER_AGENT_MAX = 512;
const TARGET_MAX = 200;
const IP_MAX = 64;
export const AUDIT_PAGE_SIZE = 50;

/** Where a page ends: the last event's time (in microseconds since the epoch, exact) and id. */
interface Position {
  micros: bigint;
  id: bigint;
}

/** The cursor is opaque to clients: base64url of "<micros>.<id>". */
export function encodeAuditCursor(position: Position): string {
  return Buffer.from(`${position.micros}.${position.id}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one this API gave out. */
export function decodeAuditCursor(cursor: string): Position | null {
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const match = /^(\d{1,18})\.(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  return match ? { micros: BigInt(match[1]), id: BigInt(match[2]) } : null;
}

const clip = (value: string | null | undefined, max: number): string | null => (value ? value.slice(0, max) : null);

interface EventRow {
  id: string;
  micros: string;
  at: Date;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
}

export function createAuditRepository(db: Queryable) {
  return {
    async record(event: NewAuditEvent): Promise<void> {
      await db.query('INSERT INTO audit_events (account_id, action, target, ip, user_agent) VALUES ($1, $2, $3, $4, $5)', [
        event.accountId,
        event.action,
        clip(event.target, TARGET_MAX),
        clip(event.ip, IP_MAX),
        clip(event.userAgent, USER_AGENT_MAX),
      ]);
    },

    /** One page of the account's events, newest first, and the cursor of the next page (null at the end). */
    async list(accountId: string, cursor: Position | null, limit = AUDIT_PAGE_SIZE): Promise<{ events: AuditEvent[]; next: string | null }> {
      const { rows } = await db.query<EventRow>(
        `SELECT id::text, ((extract(epoch FROM at) * 1000000)::numeric(20,0))::text AS micros, at, action, target, ip, user_agent
           FROM audit_events
          WHERE account_id = $1
            AND ($2::bigint IS NULL OR (at, id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::bigint))
          ORDER BY at DESC, id DESC
          LIMIT $4`,
        [accountId, cursor?.micros.toString() ?? null, cursor?.id.toString() ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map((row) => ({ at: row.at, action: row.action, target: row.target, ip: row.ip, userAgent: row.user_agent })),
        next: rows.length > limit && last ? encodeAuditCursor({ micros: BigInt(last.micros), id: BigInt(last.id) }) : null,
      };
    },

    /** The retention purge: deletes events older than `days`, a batch at a time; answers how many. */
    async purgeOlderThan(days: number, batch = 5_000): Promise<number> {
      let deleted = 0;
      for (;;) {
        const { rows } = await db.query<{ n: number }>('SELECT audit_purge(make_interval(days => $1), $2) AS n', [days, batch]);
        deleted += rows[0].n;
        if (rows[0].n < batch) return deleted;
      }
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
