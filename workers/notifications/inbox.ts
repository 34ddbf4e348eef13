import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { notifications } from '../../db/schema/index.ts';
import { exactTs } from '../lib/sql.ts';
import { pushToUser } from '../live/push.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { notFound } from '../lib/errors.ts';
import { toNotificationView } from './notify.ts';
import type { NotificationView } from './schemas.ts';

const columns = {
  id: notifications.id,
  kind: notifications.kind,
  data: notifications.data,
  readAt: notifications.readAt,
  createdAt: notifications.createdAt,
};

/** GET /api/me/notifications — the user's own, newest first, keyset-paginated; `unread` keeps unread ones only. */
export async function listNotifications(
  ctx: Ctx,
  actor: Actor,
  q: { cursor?: string; limit: number; unread?: boolean },
): Promise<Page<NotificationView>> {
  let where = eq(notifications.userId, actor.id);
  if (q.unread) where = and(where, isNull(notifications.readAt))!;
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    where = and(where, sql`(${notifications.createdAt}, ${notifications.id}) < (${at}::timestamptz, ${id}::uuid)`)!;
  }
  const rows = await ctx.services.db.db
    .select({ ...columns, cursorAt: exactTs(notifications.createdAt) })
    .from(notifications)
    .where(where)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.cursorAt, r.id], ctx.config.JWT_SECRET);
  return { items: page.items.map(toNotificationView), nextCursor: page.nextCursor };
}

/** GET /api/me/notifications/unread-count — one index-only count over the partial unread index. */
export async function unreadCount(ctx: Ctx, actor: Actor): Promise<{ count: number }> {
  const [row] = await ctx.services.db.db
    .select({ count: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)));
  return { count: Number(row?.count ?? 0) };
}

/** POST /api/me/notifications/:id/read — idempotent; someone else's notification is 404. */
export async function markRead(ctx: Ctx, actor: Actor, id: string): Promise<NotificationView> {
  if (!isId(id)) throw notFound('Notification');
  const [row] = await ctx.services.db.db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(eq(notifications.id, id), eq(notifications.userId, actor.id)))
    .returning(columns);
  if (!row) throw notFound('Notification');
  // The user's other open pages refresh their badge.
  ctx.defer(pushToUser(ctx, actor.id, { type: 'read', ids: [id] }));
  return toNotificationView(row);
}

/** POST /api/me/notifications/read-all — marks every unread notification of the user read. */
export async function markAllRead(ctx: Ctx, actor: Actor): Promise<{ updated: number }> {
  const rows = await ctx.services.db.db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  if (rows.length) ctx.defer(pushToUser(ctx, actor.id, { type: 'read', ids: 'all' }));
  return { updated: rows.length };
}
