import { z } from '@hono/zod-openapi';
import { sql, type SQL } from 'drizzle-orm';
import { notifications, type Notification } from '../../db/schema/index.ts';
import type { HttpDb, Tx } from '../../db/client.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { iso } from '../lib/sql.ts';
import { pushToUser } from '../live/push.ts';
import type { NotificationView } from './schemas.ts';

export type NotificationKind =
  | 'enrollment'
  | 'course_completed'
  | 'review_received'
  | 'review_reply'
  | 'report_ready'
  | 'report_failed'
  | 'payment'
  | 'booking';

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  data?: Record<string, unknown>;
  /** Same key for the same event: a second insert is ignored (idempotent jobs and retries). */
  dedupeKey?: string;
}

/** The row as notificationInsert returns it (and as raw SQL `returning` gives it, snake_cased). */
export type InsertedNotification = Pick<Notification, 'id' | 'userId' | 'kind' | 'data' | 'readAt' | 'createdAt'>;

const returned = {
  id: notifications.id,
  userId: notifications.userId,
  kind: notifications.kind,
  data: notifications.data,
  readAt: notifications.readAt,
  createdAt: notifications.createdAt,
};

/**
 * Builds the insert for a notification on the given executor, so callers can put it in the
 * same transaction (or batch) as the change it announces. It returns the new row (nothing
 * when the dedupe key already existed); pass the rows to publishNotifications once committed.
 */
export function notificationInsert(db: HttpDb | Tx, n: NewNotification) {
  // Both executors share the query-builder API; the union of their signatures does not type-check.
  return (db as HttpDb)
    .insert(notifications)
    .values({ userId: n.userId, kind: n.kind, data: n.data ?? {}, dedupeKey: n.dedupeKey ?? null })
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning(returned);
}

export function toNotificationView(n: Pick<InsertedNotification, 'id' | 'kind' | 'data' | 'readAt' | 'createdAt'>): NotificationView {
  return { id: n.id, kind: n.kind, data: n.data ?? {}, readAt: iso(n.readAt), createdAt: iso(n.createdAt)! };
}

/** A notification row from raw SQL (`returning id, user_id, kind, data, read_at, created_at`, or its row_to_json). */
export const RawNotificationSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
  read_at: z.string().nullable(),
  created_at: z.string(),
});
export type RawNotification = z.infer<typeof RawNotificationSchema>;

export function fromRaw(r: RawNotification): InsertedNotification {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind,
    data: r.data,
    readAt: r.read_at ? new Date(r.read_at) : null,
    createdAt: new Date(r.created_at),
  };
}

/** The SQL `returning` list matching RawNotification, for CTEs that insert notifications. */
export const RAW_NOTIFICATION_COLUMNS = 'id, user_id, kind, data, read_at, created_at';

/**
 * The notification insert inside one statement that writes several tables at once (a CTE
 * `notified as (…)`), with the kind checked against NotificationKind like notify()'s. Returns
 * the RawNotification columns; publish the row with publishNotifications once committed.
 */
export function notificationInsertSql(n: { userId: SQL; kind: NotificationKind; data: SQL; dedupeKey: SQL; from: SQL }): SQL {
  return sql`insert into notifications (user_id, kind, data, dedupe_key)
        select ${n.userId}, ${n.kind}::text, ${n.data}, ${n.dedupeKey}
        from ${n.from}
        on conflict (user_id, dedupe_key) do nothing
        returning ${sql.raw(RAW_NOTIFICATION_COLUMNS)}`;
}

/**
 * After the rows are committed: pushes each to its user's open pages (live socket). Runs
 * after the response (ctx.defer); a user without an open page simply gets nothing, and
 * the page's unread-count poll catches up when its socket was down. A row for the request's
 * own `actor` is not pushed when the actor is known to have no socket open (Actor.live).
 */
export function publishNotifications(ctx: Ctx, rows: (InsertedNotification | undefined | null)[], actor?: Actor): void {
  for (const row of rows) {
    if (!row) continue;
    if (actor && row.userId === actor.id && actor.live === false) continue;
    ctx.defer(pushToUser(ctx, row.userId, { type: 'notification', notification: toNotificationView(row) }));
  }
}

/** Inserts one notification on its own (not part of a bigger change) and publishes it. */
export async function notify(ctx: Ctx, n: NewNotification): Promise<NotificationView | undefined> {
  const [row] = await notificationInsert(ctx.services.db.db, n);
  if (!row) return undefined;
  publishNotifications(ctx, [row]);
  return toNotificationView(row);
}
