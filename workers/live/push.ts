import type { Ctx } from '../lib/context.ts';
import type { NotificationView } from '../notifications/schemas.ts';

/** Events a user's open pages receive over GET /api/me/live. */
export type LiveEvent =
  | { type: 'ready' }
  | { type: 'notification'; notification: NotificationView }
  /** Some notifications were marked read (ids, or all of them): pages refresh their unread count. */
  | { type: 'read'; ids: string[] | 'all' }
  /** A teacher's dashboard: something happened in one of their courses or tests; the page re-reads its pulse. */
  | { type: 'pulse'; kind: 'enrollment' | 'lesson_completed' | 'submission' | 'review'; courseId: string | null; at: string };

/**
 * Sends an event to the user's Durable Object, which fans it out to their sockets. Only ever
 * addressed by the user id the event belongs to, so a user receives only their own events.
 * Best effort: the caller defers it after the commit, and pages poll when the socket is down.
 */
export async function pushToUser(ctx: Ctx, userId: string, event: LiveEvent): Promise<number> {
  const ns = ctx.config.LIVE;
  if (!ns) return 0;
  const stub = ns.get(ns.idFromName(userId));
  return stub.push(JSON.stringify(event));
}
