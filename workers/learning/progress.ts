import { sql } from 'drizzle-orm';
import type { LocalizedText } from '../../db/schema/index.ts';
import type { Lang } from '../catalog/localize.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { notFound } from '../lib/errors.ts';
import { fromRaw, notificationInsertSql, publishNotifications, type RawNotification } from '../notifications/notify.ts';
import { notEnrolled } from './errors.ts';
import { pulseAfterCommit } from '../dashboards/pulse.ts';
import { certificateCode } from '../reports/certificates.ts';
import { onCourseCompleted } from './hooks.ts';
import { nextLessonView, progressJson, progressView, type ProgressJson } from './progress-sql.ts';
import { iso, trustedRows } from '../lib/sql.ts';
import type { CompletionResult, CourseProgress } from './schemas.ts';

export type { CompletionResult, CourseProgress };

interface LessonRef {
  course_id: string | null;
  language: Lang | null;
  enrollment_id: string | null;
}

/** The lesson (of a published course) and the actor's enrollment in its course; 404 / 403. */
function requireEnrollment(ref: LessonRef | undefined): asserts ref is LessonRef & { course_id: string; enrollment_id: string } {
  if (!ref?.course_id) throw notFound('Lesson');
  if (!ref.enrollment_id) throw notEnrolled(ref.course_id, 'Enroll in the course to track this lesson');
}

interface CheckRow {
  progress: ProgressJson;
  status: 'active' | 'completed';
  enrolled_at: string;
  completed_at: string | null;
  just_completed_at: string | null;
  course_title: LocalizedText;
  notification: RawNotification | null;
}

/**
 * Progress of one enrollment, completing the course when every current lesson is done.
 * The completion is a conditional update (`status = 'active'`): when parallel requests all
 * see 100 %, the row lock makes the others re-check the condition and find it false, so
 * the course completes, and its notification is created, exactly once.
 *
 * This must run as its own statement AFTER the lesson's insert committed: two requests
 * completing the last two lessons in parallel each commit their insert first, so whichever
 * checks last sees both (one statement doing both could see neither and never complete).
 */
async function checkCompletion(ctx: Ctx, actor: Actor, courseId: string, enrollmentId: string): Promise<CheckRow> {
  // The certificate's verification code is known before the certificate exists: the
  // notification links to its public page.
  const code = await certificateCode(ctx.config.JWT_SECRET, actor.id, courseId);
  const [row] = await trustedRows<CheckRow>(
    ctx.services.db.db,
    sql`with pr as (
        select ${progressJson(actor.id, sql`${courseId}::uuid`, { completedIds: true })}::jsonb as p
      ), c as (
        select title from courses where id = ${courseId}::uuid
      ), upd as (
        update enrollments set status = 'completed', completed_at = now(), updated_at = now()
        where id = ${enrollmentId}::uuid and user_id = ${actor.id}::uuid and status = 'active'
          and ((select p from pr)->>'total')::int > 0
          and ((select p from pr)->>'done')::int >= ((select p from pr)->>'total')::int
        returning id, completed_at
      ), notified as (
        ${notificationInsertSql({
          userId: sql`${actor.id}::uuid`,
          kind: 'course_completed',
          data: sql`jsonb_build_object('courseId', ${courseId}::uuid, 'courseTitle', c.title, 'certificateCode', ${code}::text)`,
          dedupeKey: sql`'course_completed:' || upd.id`,
          from: sql`upd, c`,
        })}
      )
      select (select p from pr) as progress, e.status, e.created_at as enrolled_at, e.completed_at,
        (select completed_at from upd) as just_completed_at,
        (select title from c) as course_title,
        (select row_to_json(notified) from notified) as notification
      from enrollments e where e.id = ${enrollmentId}::uuid`,
  );
  if (!row) throw notEnrolled(courseId);
  return row;
}

function toProgress(courseId: string, lang: Lang, primary: Lang | undefined, row: CheckRow): CourseProgress {
  const completedAt = row.just_completed_at ?? row.completed_at;
  return {
    courseId,
    status: row.just_completed_at ? 'completed' : row.status,
    enrolledAt: iso(row.enrolled_at)!,
    completedAt: iso(completedAt),
    progress: progressView(row.progress),
    nextLesson: nextLessonView(row.progress, lang, primary),
    completedLessonIds: row.progress.completedIds ?? [],
  };
}

/** After the completion committed: tell the learner live, and ask for the certificate. */
function completed(ctx: Ctx, actor: Actor, courseId: string, row: CheckRow, origin?: string) {
  if (!row.just_completed_at) return;
  if (row.notification) publishNotifications(ctx, [fromRaw(row.notification)], actor);
  ctx.defer(
    onCourseCompleted(ctx, {
      userId: actor.id,
      courseId,
      courseTitle: row.course_title,
      completedAt: new Date(row.just_completed_at),
      ...(origin ? { origin } : {}),
    }),
  );
}

/** POST /api/lessons/:id/completion — idempotent; enrolled learners of published courses only. */
export async function completeLesson(
  ctx: Ctx,
  actor: Actor,
  lessonId: string,
  lang: Lang,
  opts: { origin?: string } = {},
): Promise<CompletionResult> {
  if (!isId(lessonId)) throw notFound('Lesson');
  const [ref] = await trustedRows<LessonRef & { inserted: boolean; teacher_id: string | null }>(
    ctx.services.db.db,
    sql`with l as (
        select l.id, l.course_id, c.language, c.teacher_id from lessons l join courses c on c.id = l.course_id
        where l.id = ${lessonId}::uuid and c.published
      ), e as (
        select e.id from enrollments e, l where e.user_id = ${actor.id}::uuid and e.course_id = l.course_id
      ), ins as (
        insert into lesson_progress (user_id, lesson_id, course_id)
        select ${actor.id}::uuid, l.id, l.course_id from l where exists (select 1 from e)
        on conflict (user_id, lesson_id) do nothing
        returning lesson_id
      )
      select (select course_id from l) as course_id, (select language from l) as language,
        (select teacher_id from l) as teacher_id,
        (select id from e) as enrollment_id, exists (select 1 from ins) as inserted`,
  );
  requireEnrollment(ref);
  // Always checked, even when the lesson was already done: a retry after a failed check completes.
  const row = await checkCompletion(ctx, actor, ref.course_id, ref.enrollment_id);
  completed(ctx, actor, ref.course_id, row, opts.origin);
  if (ref.inserted) pulseAfterCommit(ctx, 'lesson_completed', { courseId: ref.course_id, teacherId: ref.teacher_id ?? undefined });
  return { lessonId, courseCompleted: Boolean(row.just_completed_at), ...toProgress(ref.course_id, lang, ref.language ?? undefined, row) };
}

/**
 * DELETE /api/lessons/:id/completion — idempotent. A completed course stays completed (it
 * happened, and its certificate exists); only the percentage drops.
 */
export async function uncompleteLesson(
  ctx: Ctx,
  actor: Actor,
  lessonId: string,
  lang: Lang,
): Promise<CourseProgress & { lessonId: string }> {
  if (!isId(lessonId)) throw notFound('Lesson');
  const [ref] = await trustedRows<LessonRef>(
    ctx.services.db.db,
    sql`with l as (
        select l.id, l.course_id, c.language from lessons l join courses c on c.id = l.course_id
        where l.id = ${lessonId}::uuid and c.published
      ), e as (
        select e.id from enrollments e, l where e.user_id = ${actor.id}::uuid and e.course_id = l.course_id
      ), del as (
        delete from lesson_progress where user_id = ${actor.id}::uuid and lesson_id = ${lessonId}::uuid and exists (select 1 from e)
        returning lesson_id
      )
      select (select course_id from l) as course_id, (select language from l) as language,
        (select id from e) as enrollment_id, (select count(*) from del) as deleted`,
  );
  requireEnrollment(ref);
  const progress = await getCourseProgress(ctx, actor, ref.course_id, lang);
  return { lessonId, ...progress };
}

/**
 * GET /api/courses/:id/progress — 404 for unknown or unpublished courses, 403 not_enrolled.
 * Read-only, except in one case: when the teacher deleted the last lessons the learner had
 * not done, progress is 100 % without a completion call, so the (conditional, once-only)
 * completion runs here.
 */
export async function getCourseProgress(ctx: Ctx, actor: Actor, courseId: string, lang: Lang): Promise<CourseProgress> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await trustedRows<{
    language: Lang;
    enrollment_id: string | null;
    status: 'active' | 'completed' | null;
    enrolled_at: string | null;
    completed_at: string | null;
    progress: ProgressJson | null;
  }>(
    ctx.services.db.db,
    sql`select c.language, e.id as enrollment_id, e.status, e.created_at as enrolled_at, e.completed_at,
        case when e.id is null then null else ${progressJson(actor.id, sql`c.id`, { completedIds: true })} end as progress
      from courses c
      left join enrollments e on e.course_id = c.id and e.user_id = ${actor.id}::uuid
      where c.id = ${courseId}::uuid and c.published`,
  );
  if (!row) throw notFound('Course');
  if (!row.enrollment_id || !row.progress || !row.status || !row.enrolled_at) throw notEnrolled(courseId);
  const view = progressView(row.progress);
  if (row.status === 'active' && view.total > 0 && view.percent === 100) {
    // Everything left was done when the teacher removed the last open lesson: complete now (still once).
    const checked = await checkCompletion(ctx, actor, courseId, row.enrollment_id);
    completed(ctx, actor, courseId, checked);
    return toProgress(courseId, lang, row.language, checked);
  }
  return {
    courseId,
    status: row.status,
    enrolledAt: iso(row.enrolled_at)!,
    completedAt: iso(row.completed_at),
    progress: view,
    nextLesson: nextLessonView(row.progress, lang, row.language),
    completedLessonIds: row.progress.completedIds ?? [],
  };
}
