import { notifications } from '../../db/schema/index.ts';
import type { HttpDb, Tx } from '../../db/client.ts';

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

/**
 * Builds the insert for a notification on the given executor, so callers can put it in the
 * same transaction (or batch) as the change it announces.
 */
export function notificationInsert(db: HttpDb | Tx, n: NewNotification) {
  // Both executors share the query-builder API; the union of their signatures does not type-check.
  return (db as HttpDb)
    .insert(notifications)
    .values({ userId: n.userId, kind: n.kind, data: n.data ?? {}, dedupeKey: n.dedupeKey ?? null })
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning({ id: notifications.id });
}
