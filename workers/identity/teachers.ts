import { and, asc, eq, gt, or } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import { toPublicUser } from './accounts.ts';
import type { PublicUser, TeacherReviewView } from './schemas.ts';

export type TeacherStatus = 'pending' | 'verified' | 'rejected';

function assertAdmin(actor: Actor) {
  if (actor.role !== 'admin') throw forbidden('Only admins review teachers');
}

/** The verification queue, oldest application first. */
export async function listTeachers(
  ctx: Ctx,
  actor: Actor,
  q: { status: TeacherStatus; cursor?: string; limit: number },
): Promise<Page<TeacherReviewView>> {
  assertAdmin(actor);
  let where = and(eq(users.role, 'teacher'), eq(users.teacherStatus, q.status))!;
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    where = and(where, or(gt(users.createdAt, new Date(at)), and(eq(users.createdAt, new Date(at)), gt(users.id, id))))!;
  }
  const rows = await ctx.services.db.db
    .select()
    .from(users)
    .where(where)
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.createdAt.toISOString(), r.id], ctx.config.JWT_SECRET);
  return {
    items: page.items.map((u) => ({
      ...toPublicUser(u),
      reviewNote: u.teacherReviewNote,
      reviewedAt: u.teacherReviewedAt ? new Date(u.teacherReviewedAt).toISOString() : null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** Verifies or rejects a teacher; only a verified teacher may publish. */
export async function reviewTeacher(
  ctx: Ctx,
  actor: Actor,
  teacherId: string,
  decision: { status: 'verified' | 'rejected'; note?: string },
): Promise<PublicUser> {
  assertAdmin(actor);
  if (!isId(teacherId)) throw notFound('Teacher');
  const [row] = await ctx.services.db.db
    .update(users)
    .set({ teacherStatus: decision.status, teacherReviewNote: decision.note ?? null, teacherReviewedAt: ctx.services.now() })
    .where(and(eq(users.id, teacherId), eq(users.role, 'teacher')))
    .returning();
  if (!row) throw notFound('Teacher');
  return toPublicUser(row);
}
