import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { pulseAfterCommit } from '../dashboards/pulse.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { AppError, notFound } from '../lib/errors.ts';
import type { HttpDb, Tx } from '../../db/client.ts';
import {
  notificationInsertSql,
  fromRaw,
  publishNotifications,
  RawNotificationSchema,
  type InsertedNotification,
} from '../notifications/notify.ts';
import { col, iso, queryRows } from '../lib/sql.ts';
import type { EnrollmentView } from './schemas.ts';

export type { EnrollmentView };

/** An enrollment row (`select …` or `row_to_json`). */
const RawEnrollment = z.object({
  id: z.string(),
  status: z.enum(['active', 'completed']),
  completed_at: col.ts.nullable(),
  created_at: col.ts,
});
type RawEnrollment = z.infer<typeof RawEnrollment>;
const Removed = z.object({ found: z.boolean(), removed: z.boolean() });
// Row schemas live at module level: building a zod schema per request cost more than parsing
// with it (the enrollment's was ~1/6 of what the isolate allocated under the enrollment bench).
const Enrolled = z.object({
  found: z.boolean(),
  price: z.number().nullable(),
  teacher_id: z.string().nullable(),
  inserted: RawEnrollment.nullable(),
  prior: RawEnrollment.nullable(),
  notification: RawNotificationSchema.nullable(),
});
const Granted = z.object({ found: z.boolean(), inserted: z.boolean(), notification: RawNotificationSchema.nullable() });

const view = (courseId: string, e: RawEnrollment): EnrollmentView => ({
  courseId,
  status: e.status,
  enrolledAt: iso(e.created_at)!,
  completedAt: iso(e.completed_at),
});

/**
 * POST /api/courses/:id/enrollment. One statement: the insert (a unique pair, so enrolling
 * twice is one row), the course's enrollmentCount (+1 only when a row was inserted, in the
 * same statement, so it stays exact under any concurrency) and the learner's notification.
 * Paid courses answer 402 until payments grant access (grantEnrollment).
 *
 * The count is exact in the row; cached copies of the course (Redis and the edge, 300 s each)
 * are not invalidated for it and show it up to that late, like lists (60 s). A counter that
 * invalidated the course would make a popular course recompute on every read during an
 * enrollment rush, and cost each enrollment a Redis bump plus 7 edge purges (issue 16).
 */
export async function enroll(ctx: Ctx, actor: Actor, courseId: string): Promise<{ created: boolean; enrollment: EnrollmentView }> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with c as (
        select id, price_amount, title, teacher_id from courses where id = ${courseId}::uuid and published
      ), prior as (
        select id, status, completed_at, created_at from enrollments where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid
      ), ins as (
        insert into enrollments (user_id, course_id)
        select ${actor.id}::uuid, c.id from c where c.price_amount = 0
        on conflict (user_id, course_id) do nothing
        returning id, status, completed_at, created_at
      ), counted as (
        update courses set enrollment_count = enrollment_count + 1
        where id = ${courseId}::uuid and exists (select 1 from ins)
        returning enrollment_count
      ), notified as (
        ${notificationInsertSql({
          userId: sql`${actor.id}::uuid`,
          kind: 'enrollment',
          data: sql`jsonb_build_object('courseId', c.id, 'courseTitle', c.title)`,
          dedupeKey: sql`'enrollment:' || ins.id`,
          from: sql`ins, c`,
        })}
      )
      select exists (select 1 from c) as found,
        (select price_amount from c) as price,
        (select teacher_id from c) as teacher_id,
        (select row_to_json(ins) from ins) as inserted,
        (select row_to_json(prior) from prior) as prior,
        (select row_to_json(notified) from notified) as notification,
        (select count(*) from counted) as counted`,
    Enrolled,
  );
  if (!row?.found) throw notFound('Course');
  if (row.inserted) {
    if (row.notification) publishNotifications(ctx, [fromRaw(row.notification)], actor);
    pulseAfterCommit(ctx, 'enrollment', { courseId, teacherId: row.teacher_id ?? undefined });
    return { created: true, enrollment: view(courseId, row.inserted) };
  }
  if (row.prior) return { created: false, enrollment: view(courseId, row.prior) };
  if ((row.price ?? 0) > 0) {
    throw new AppError('payment_required', 'This course is paid: buy it to enroll', { courseId, price: row.price });
  }
  // Lost a race with a parallel enrollment of the same learner: that row is committed now.
  const [current] = await queryRows(
    ctx.services.db.db,
    sql`select id, status, completed_at, created_at from enrollments where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid`,
    RawEnrollment,
  );
  if (!current) throw new AppError('conflict', 'The enrollment changed at the same time; try again');
  return { created: false, enrollment: view(courseId, current) };
}

/** What a grant or revoke did inside its caller's transaction; pass it to enrollmentChanged once committed. */
export interface EnrollmentChange {
  courseId: string;
  found: boolean;
  changed: boolean;
  notification: InsertedNotification | null;
}

/**
 * The grant as one statement on any executor, so payments can run it inside the transaction
 * that marks the payment succeeded. Same guarantees as enroll(): one row per learner and
 * course, exact count, one notification.
 */
export async function grantEnrollmentIn(db: HttpDb | Tx, input: { userId: string; courseId: string }): Promise<EnrollmentChange> {
  const [row] = await queryRows(
    db as HttpDb,
    sql`with c as (
        select id, title from courses where id = ${input.courseId}::uuid
      ), ins as (
        insert into enrollments (user_id, course_id)
        select ${input.userId}::uuid, c.id from c
        on conflict (user_id, course_id) do nothing
        returning id
      ), counted as (
        update courses set enrollment_count = enrollment_count + 1
        where id = ${input.courseId}::uuid and exists (select 1 from ins)
        returning 1
      ), notified as (
        ${notificationInsertSql({
          userId: sql`${input.userId}::uuid`,
          kind: 'enrollment',
          data: sql`jsonb_build_object('courseId', c.id, 'courseTitle', c.title)`,
          dedupeKey: sql`'enrollment:' || ins.id`,
          from: sql`ins, c`,
        })}
      )
      select exists (select 1 from c) as found, exists (select 1 from ins) as inserted,
        (select row_to_json(notified) from notified) as notification, (select count(*) from counted) as counted`,
    Granted,
  );
  return {
    courseId: input.courseId,
    found: !!row?.found,
    changed: !!row?.inserted,
    notification: row?.notification ? fromRaw(row.notification) : null,
  };
}

/** Removes an enrollment (and its progress, and the count) on any executor: the reverse of grantEnrollmentIn. */
export async function revokeEnrollmentIn(db: HttpDb | Tx, input: { userId: string; courseId: string }): Promise<EnrollmentChange> {
  const [row] = await queryRows(
    db as HttpDb,
    sql`with del as (
        delete from enrollments where user_id = ${input.userId}::uuid and course_id = ${input.courseId}::uuid returning course_id
      ), counted as (
        update courses set enrollment_count = greatest(enrollment_count - 1, 0)
        where id = ${input.courseId}::uuid and exists (select 1 from del)
        returning 1
      ), progress as (
        delete from lesson_progress
        where user_id = ${input.userId}::uuid and course_id = ${input.courseId}::uuid and exists (select 1 from del)
        returning 1
      )
      select exists (select 1 from courses where id = ${input.courseId}::uuid) as found, exists (select 1 from del) as removed,
        (select count(*) from counted) as counted, (select count(*) from progress) as progress`,
    Removed,
  );
  return { courseId: input.courseId, found: !!row?.found, changed: !!row?.removed, notification: null };
}

/** After the grant or revoke committed: the live push (cached counters catch up within their lifetime, see enroll). */
export async function enrollmentChanged(ctx: Ctx, change: EnrollmentChange): Promise<void> {
  if (!change.changed) return;
  if (change.notification) publishNotifications(ctx, [change.notification]);
}

/** Grants an enrollment regardless of price, on its own (outside a bigger transaction). */
export async function grantEnrollment(ctx: Ctx, input: { userId: string; courseId: string }): Promise<{ created: boolean }> {
  if (!isId(input.courseId) || !isId(input.userId)) throw notFound('Course');
  const change = await grantEnrollmentIn(ctx.services.db.db, input);
  if (!change.found) throw notFound('Course');
  await enrollmentChanged(ctx, change);
  return { created: change.changed };
}

/**
 * DELETE /api/courses/:id/enrollment: idempotent. The learner's progress in the course goes
 * with the enrollment (one statement, with the count), so re-enrolling starts afresh; their
 * review stays.
 */
export async function unenroll(ctx: Ctx, actor: Actor, courseId: string): Promise<{ removed: boolean }> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with del as (
        delete from enrollments where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid returning course_id
      ), counted as (
        update courses set enrollment_count = greatest(enrollment_count - 1, 0)
        where id = ${courseId}::uuid and exists (select 1 from del)
        returning 1
      ), progress as (
        delete from lesson_progress
        where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid and exists (select 1 from del)
        returning 1
      )
      select exists (select 1 from courses where id = ${courseId}::uuid) as found, exists (select 1 from del) as removed,
        (select count(*) from counted) as counted, (select count(*) from progress) as progress`,
    Removed,
  );
  if (!row?.found) throw notFound('Course');
  return { removed: row.removed };
}
