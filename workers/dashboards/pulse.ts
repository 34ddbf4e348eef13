import { sql } from 'drizzle-orm';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { queryRows } from '../lib/sql.ts';
import { pushToUser } from '../live/push.ts';
import { teacherGen } from './teacher.ts';

export type PulseKind = 'enrollment' | 'lesson_completed' | 'submission' | 'review';

/**
 * After a learner's write committed: the course's (or test's) teacher's dashboard caches are
 * invalidated and their open dashboards get a `pulse` event over their live socket (the
 * per-user Durable Object of workers/live, addressed by the teacher's id), on which they
 * re-read the pulse. The event carries no learner data: the dashboard reads that with the
 * teacher's own authorization. Fire and forget: the caller defers it, and a failure is only
 * logged — it never fails the learner's request; dashboards also poll.
 */
export function pulseAfterCommit(ctx: Ctx, kind: PulseKind, target: { courseId?: string; testId?: string }): void {
  ctx.defer(sendPulse(ctx, kind, target).catch((err: unknown) => ctx.log.warn('dashboard pulse failed', { kind, ...errorFields(err) })));
}

export async function sendPulse(ctx: Ctx, kind: PulseKind, target: { courseId?: string; testId?: string }): Promise<void> {
  const [row] = target.courseId
    ? await queryRows<{ teacher_id: string; course_id: string }>(
        ctx.services.db.db,
        sql`select teacher_id, id as course_id from courses where id = ${target.courseId}::uuid`,
      )
    : target.testId
      ? await queryRows<{ teacher_id: string; course_id: string | null }>(
          ctx.services.db.db,
          sql`select author_id as teacher_id, course_id from tests where id = ${target.testId}::uuid`,
        )
      : [];
  if (!row) return;
  await ctx.services.cache.bump(teacherGen(row.teacher_id));
  await pushToUser(ctx, row.teacher_id, { type: 'pulse', kind, courseId: row.course_id, at: ctx.services.now().toISOString() });
}
