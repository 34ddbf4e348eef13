import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { queryRows } from '../lib/sql.ts';
import { pushToUser } from '../live/push.ts';
import { isViewing } from './presence.ts';
import { teacherGen } from './teacher.ts';

export type PulseKind = 'enrollment' | 'lesson_completed' | 'submission' | 'review';

/**
 * After a learner's write committed: the course's (or test's) teacher's dashboard caches are
 * invalidated and their open dashboards get a `pulse` event over their live socket (the
 * per-user Durable Object of workers/live, addressed by the teacher's id), on which they
 * re-read the pulse. The event carries no learner data: the dashboard reads that with the
 * teacher's own authorization. Fire and forget: the caller defers it, and a failure is only
 * logged — it never fails the learner's request; dashboards also poll. Only when the teacher has
 * a dashboard open (presence.ts): otherwise there is nobody to tell and no cached answer to drop.
 */
export function pulseAfterCommit(ctx: Ctx, kind: PulseKind, target: PulseTarget): void {
  ctx.defer(sendPulse(ctx, kind, target).catch((err: unknown) => ctx.log.warn('dashboard pulse failed', { kind, ...errorFields(err) })));
}

/** What changed; `teacherId` when the caller's statement already read the owner (saves a lookup per new course and isolate). */
export interface PulseTarget {
  courseId?: string;
  testId?: string;
  teacherId?: string;
}

export async function sendPulse(ctx: Ctx, kind: PulseKind, target: PulseTarget): Promise<void> {
  const owner = await ownerOf(ctx, target);
  if (!owner || !(await isViewing(ctx, owner.teacherId))) return;
  await ctx.services.cache.bump(teacherGen(owner.teacherId));
  await pushToUser(ctx, owner.teacherId, { type: 'pulse', kind, courseId: owner.courseId, at: ctx.services.now().toISOString() });
}

interface Owner {
  teacherId: string;
  courseId: string | null;
}

/** Course and test owners never change: remembered per isolate (bounded), one lookup each. */
const owners = new Map<string, Owner>();
const MAX_OWNERS = 10_000;
/** Checked: the lookup runs once per course or test per isolate (remembered above), not per write. */
const OwnerRow = z.object({ teacher_id: z.string(), course_id: z.string().nullable() });

async function ownerOf(ctx: Ctx, target: PulseTarget): Promise<Owner | undefined> {
  if (target.teacherId) return { teacherId: target.teacherId, courseId: target.courseId ?? null };
  const key = target.courseId ? `c:${target.courseId}` : target.testId ? `t:${target.testId}` : undefined;
  if (!key) return undefined;
  const known = owners.get(key);
  if (known) return known;
  const [row] = target.courseId
    ? await queryRows(
        ctx.services.db.db,
        sql`select teacher_id, id as course_id from courses where id = ${target.courseId}::uuid`,
        OwnerRow,
      )
    : await queryRows(
        ctx.services.db.db,
        sql`select author_id as teacher_id, course_id from tests where id = ${target.testId}::uuid`,
        OwnerRow,
      );
  if (!row) return undefined;
  const owner = { teacherId: row.teacher_id, courseId: row.course_id };
  if (owners.size >= MAX_OWNERS) owners.clear();
  owners.set(key, owner);
  return owner;
}
