import { and, desc, eq, sql } from 'drizzle-orm';
import { categories, courses, enrollments, favorites, reviews, users } from '../../db/schema/index.ts';
import { cardColumns } from '../catalog/filters.ts';
import type { Lang } from '../catalog/localize.ts';
import { toCard } from '../catalog/views.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { notFound } from '../lib/errors.ts';
import { nextLessonView, progressJson, progressView, type ProgressJson } from './progress-sql.ts';
import { exactTs, iso, trustedRows } from '../lib/sql.ts';
import type { LearningItem, MyCourseState } from './schemas.ts';

export type { LearningItem, MyCourseState };

/**
 * GET /api/me/learning — the learner's enrollments, newest first, each with its course card,
 * progress, next lesson and completion. ONE statement per page whatever the number of
 * courses: progress is a correlated subquery per row (an index range on lessons by course
 * joined to the learner's progress rows), not a query per course.
 */
export async function listMyLearning(
  ctx: Ctx,
  actor: Actor,
  q: { lang: Lang; cursor?: string; limit: number },
): Promise<Page<LearningItem>> {
  let where = eq(enrollments.userId, actor.id);
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    where = and(where, sql`(${enrollments.createdAt}, ${enrollments.id}) < (${at}::timestamptz, ${id}::uuid)`)!;
  }
  const rows = await ctx.services.db.db
    .select({
      ...cardColumns,
      published: courses.published,
      enrollmentId: enrollments.id,
      status: enrollments.status,
      enrolledAt: enrollments.createdAt,
      cursorAt: exactTs(enrollments.createdAt),
      completedAt: enrollments.completedAt,
      progress: sql<ProgressJson>`${progressJson(actor.id, sql`${courses.id}`)}`,
    })
    .from(enrollments)
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .innerJoin(users, eq(users.id, courses.teacherId))
    .leftJoin(categories, eq(categories.id, courses.categoryId))
    .where(where)
    .orderBy(desc(enrollments.createdAt), desc(enrollments.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.cursorAt, r.enrollmentId], ctx.config.JWT_SECRET);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      course: toCard(r, q.lang),
      available: r.published,
      status: r.status,
      enrolledAt: iso(r.enrolledAt)!,
      completedAt: iso(r.completedAt),
      progress: progressView(r.progress),
      nextLesson: nextLessonView(r.progress, q.lang, r.language),
      lastActivityAt: iso(r.progress.lastCompletedAt),
    })),
  };
}

/**
 * GET /api/me/courses/:id — everything the course page shows about the signed-in user, in
 * one statement: enrollment and progress, favorite, their review. Never another user's.
 */
export async function getMyCourse(ctx: Ctx, actor: Actor, courseId: string, lang: Lang): Promise<MyCourseState> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await trustedRows<{
    language: Lang;
    teacher_id: string;
    enrollment_id: string | null;
    status: 'active' | 'completed' | null;
    enrolled_at: string | null;
    completed_at: string | null;
    progress: ProgressJson | null;
    favorite: boolean;
    review: {
      id: string;
      rating: number;
      text: string;
      hidden: boolean;
      reply: string | null;
      created_at: string;
      updated_at: string;
    } | null;
  }>(
    ctx.services.db.db,
    sql`select c.language, c.teacher_id, e.id as enrollment_id, e.status, e.created_at as enrolled_at, e.completed_at,
        case when e.id is null then null else ${progressJson(actor.id, sql`c.id`, { completedIds: true })} end as progress,
        exists (select 1 from ${favorites} f where f.user_id = ${actor.id}::uuid and f.course_id = c.id) as favorite,
        (select row_to_json(r) from (
          select id, rating, text, hidden, reply, created_at, updated_at from ${reviews}
          where course_id = c.id and user_id = ${actor.id}::uuid
        ) r) as review
      from ${courses} c
      left join ${enrollments} e on e.course_id = c.id and e.user_id = ${actor.id}::uuid
      where c.id = ${courseId}::uuid and c.published`,
  );
  if (!row) throw notFound('Course');
  const r = row.review;
  return {
    courseId,
    enrolled: Boolean(row.enrollment_id),
    status: row.status,
    enrolledAt: iso(row.enrolled_at),
    completedAt: iso(row.completed_at),
    progress: row.progress ? progressView(row.progress) : null,
    nextLesson: row.progress ? nextLessonView(row.progress, lang, row.language) : null,
    completedLessonIds: row.progress?.completedIds ?? [],
    favorite: row.favorite,
    review: r
      ? {
          id: r.id,
          rating: r.rating,
          text: r.text,
          hidden: r.hidden,
          reply: r.reply,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at)!,
        }
      : null,
    teacher: row.teacher_id === actor.id,
  };
}
