import { z } from '@hono/zod-openapi';
import { sql, type SQL } from 'drizzle-orm';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { notFound } from '../lib/errors.ts';
import { col, iso, queryRows } from '../lib/sql.ts';
import { markViewing } from './presence.ts';
import { dayRange, periods, weekOf, type DayRange } from './range.ts';
import {
  L10n,
  type DashboardRange,
  type OverviewView,
  type PulseView,
  type ReviewItemView,
  type SeamsView,
  type SeriesPoint,
  type VoicesView,
} from './schemas.ts';

/*
 * The teacher's dashboard. Every number comes from the rollups of db/schema/dashboards.ts
 * (kept by triggers) or from bounded, indexed reads (a few newest rows per course): no read
 * here scans enrollments or lesson_progress. Only the teacher's own courses and tests are
 * visible; another teacher's course is 404. Learners appear only by the display name of their
 * own account — never a child's name (a child's result shows no name) and never an email.
 */

export const teacherGen = (teacherId: string) => `gen:dash:teacher:${teacherId}`;
/** Rollup reads are cheap but 100 open dashboards poll them: a short cache, invalidated by every write (pulse.ts). */
const TTL_SEC = 30;
const PULSE_TTL_SEC = 5;
export const RECENT_LIMIT = 10;
export const WRONG_QUESTIONS_LIMIT = 10;
/** A teacher with more courses than this sees the first ones (by creation) in the course list. */
export const COURSE_LIST_MAX = 200;

const CourseRow = z.object({
  id: z.string(),
  title: L10n,
  published: z.boolean(),
  enrollment_count: z.number(),
  rating_avg: col.num,
  rating_count: z.number(),
});
type CourseRow = z.infer<typeof CourseRow>;

/** The course filter: the teacher's own course, or 404 (for a malformed id too). */
async function ownCourse(ctx: Ctx, actor: Actor, courseId: string): Promise<CourseRow> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await queryRows(
    ctx.services.db.read,
    sql`select id, title, published, enrollment_count, rating_avg, rating_count from courses
        where id = ${courseId}::uuid and teacher_id = ${actor.id}::uuid`,
    CourseRow,
  );
  if (!row) throw notFound('Course');
  return row;
}

const courseFilter = (alias: SQL, courseId?: string) => (courseId ? sql` and ${alias}.id = ${courseId}::uuid` : sql``);
const testCourseFilter = (courseId?: string) => (courseId ? sql` and t.course_id = ${courseId}::uuid` : sql``);

async function cached<T>(ctx: Ctx, actor: Actor, family: string, key: string, ttlSec: number, load: () => Promise<T>): Promise<T> {
  // Before the read: a pulse that lands right after this answer must find the teacher marked.
  await markViewing(ctx, actor.id);
  return ctx.services.cache.getOrLoad({ family, key: `dash:t:${actor.id}:${key}`, gens: [teacherGen(actor.id)], ttlSec, load });
}

// ---------------------------------------------------------------------------------------------
// Over time: enrollments, completions, lessons, submissions, reviews

const DayRow = z.object({
  day: z.string(),
  enrollments: z.number(),
  completions: z.number(),
  lesson_completions: z.number(),
  reviews: z.number(),
  rating_sum: z.number(),
});
type DayRow = z.infer<typeof DayRow>;
const SubmissionsRow = z.object({ day: z.string(), submissions: z.number() });
type SubmissionsRow = z.infer<typeof SubmissionsRow>;

async function seriesRows(ctx: Ctx, actor: Actor, range: DayRange, courseId?: string) {
  const db = ctx.services.db.read;
  return Promise.all([
    queryRows(
      db,
      sql`select s.day::text as day, sum(s.enrollments)::int as enrollments, sum(s.completions)::int as completions,
            sum(s.lesson_completions)::int as lesson_completions, sum(s.reviews)::int as reviews, sum(s.rating_sum)::int as rating_sum
          from courses c join course_day_stats s on s.course_id = c.id and s.day between ${range.from}::date and ${range.to}::date
          where c.teacher_id = ${actor.id}::uuid${courseFilter(sql`c`, courseId)}
          group by s.day`,
      DayRow,
    ),
    queryRows(
      db,
      sql`select s.day::text as day, sum(s.submissions)::int as submissions
          from tests t join test_day_submissions s on s.test_id = t.id and s.day between ${range.from}::date and ${range.to}::date
          where t.author_id = ${actor.id}::uuid${testCourseFilter(courseId)}
          group by s.day`,
      SubmissionsRow,
    ),
  ]);
}

function bucketize(range: DayRange, bucket: 'day' | 'week', days: DayRow[], subs: SubmissionsRow[]) {
  const acc = new Map<string, SeriesPoint & { ratingSum: number }>();
  for (const p of periods(range, bucket)) {
    acc.set(p, {
      period: p,
      enrollments: 0,
      completions: 0,
      lessonCompletions: 0,
      submissions: 0,
      reviews: 0,
      averageRating: null,
      ratingSum: 0,
    });
  }
  const at = (day: string) => acc.get(bucket === 'week' ? weekOf(day) : day)!;
  for (const d of days) {
    const p = at(d.day);
    p.enrollments += d.enrollments;
    p.completions += d.completions;
    p.lessonCompletions += d.lesson_completions;
    p.reviews += d.reviews;
    p.ratingSum += d.rating_sum;
  }
  for (const s of subs) at(s.day).submissions += s.submissions;
  return [...acc.values()].map(({ ratingSum, ...p }) => ({ ...p, averageRating: p.reviews ? round2(ratingSum / p.reviews) : null }));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function teacherOverview(ctx: Ctx, actor: Actor, q: DashboardRange): Promise<OverviewView> {
  const range = dayRange(q, ctx.services.now());
  const bucket = q.bucket ?? 'day';
  if (q.courseId) await ownCourse(ctx, actor, q.courseId);
  return cached(ctx, actor, 'dashboard:teacher', `overview:${range.from}:${range.to}:${bucket}:${q.courseId ?? ''}`, TTL_SEC, async () => {
    const [[days, subs], courses] = await Promise.all([
      seriesRows(ctx, actor, range, q.courseId),
      queryRows(
        ctx.services.db.read,
        sql`select id, title, published, enrollment_count, rating_avg, rating_count from courses
            where teacher_id = ${actor.id}::uuid order by created_at limit ${COURSE_LIST_MAX}`,
        CourseRow,
      ),
    ]);
    const series = bucketize(range, bucket, days, subs);
    const sum = (f: (p: SeriesPoint) => number) => series.reduce((s, p) => s + f(p), 0);
    const ratingSum = days.reduce((s, d) => s + d.rating_sum, 0);
    const reviews = sum((p) => p.reviews);
    return {
      from: range.from,
      to: range.to,
      bucket,
      courseId: q.courseId ?? null,
      totals: {
        enrollments: sum((p) => p.enrollments),
        completions: sum((p) => p.completions),
        lessonCompletions: sum((p) => p.lessonCompletions),
        submissions: sum((p) => p.submissions),
        reviews,
        averageRating: reviews ? round2(ratingSum / reviews) : null,
      },
      series,
      courses: courses.map((c) => ({
        id: c.id,
        title: c.title,
        published: c.published,
        enrollments: c.enrollment_count,
        rating: c.rating_avg,
        ratings: c.rating_count,
      })),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Pulse: who is learning now, what just happened

export const ACTIVE_WINDOW_MIN = 5;

export async function teacherPulse(ctx: Ctx, actor: Actor, q: { courseId?: string }): Promise<PulseView> {
  if (q.courseId) await ownCourse(ctx, actor, q.courseId);
  return cached(ctx, actor, 'dashboard:pulse', `pulse:${q.courseId ?? ''}`, PULSE_TTL_SEC, () => loadPulse(ctx, actor, q.courseId));
}

const PulseCounts = z.object({
  active_now: z.number(),
  active_today: z.number(),
  lessons_today: z.number(),
  submissions_today: z.number(),
});
const RecentCompletion = z.object({
  name: z.string(),
  course_id: z.string(),
  course_title: L10n,
  lesson_title: L10n.nullable(),
  last_at: col.ts,
});
const RecentSubmission = z.object({
  name: z.string().nullable(),
  test_id: z.string(),
  title: L10n,
  kind: z.string(),
  submitted_at: col.ts,
});

async function loadPulse(ctx: Ctx, actor: Actor, courseId?: string): Promise<PulseView> {
  const db = ctx.services.db.read;
  const now = ctx.services.now();
  const today = now.toISOString().slice(0, 10);
  const cf = courseFilter(sql`c`, courseId);
  const [[counts], completions, submissions] = await Promise.all([
    queryRows(
      db,
      sql`select
            (select count(distinct s.user_id) from courses c join course_learner_stats s
               on s.course_id = c.id and s.last_at > ${now.toISOString()}::timestamptz - make_interval(mins => ${ACTIVE_WINDOW_MIN})
             where c.teacher_id = ${actor.id}::uuid${cf})::int as active_now,
            (select count(distinct s.user_id) from courses c join course_learner_stats s
               on s.course_id = c.id and s.last_at >= ${today}::date::timestamp at time zone 'UTC'
             where c.teacher_id = ${actor.id}::uuid${cf})::int as active_today,
            (select coalesce(sum(s.lesson_completions), 0) from courses c join course_day_stats s on s.course_id = c.id and s.day = ${today}::date
             where c.teacher_id = ${actor.id}::uuid${cf})::int as lessons_today,
            (select coalesce(sum(s.submissions), 0) from tests t join test_day_submissions s on s.test_id = t.id and s.day = ${today}::date
             where t.author_id = ${actor.id}::uuid${testCourseFilter(courseId)})::int as submissions_today`,
      PulseCounts,
    ),
    queryRows(
      db,
      sql`select u.name, c.id as course_id, c.title as course_title, l.title as lesson_title, s.last_at
          from courses c
          cross join lateral (select * from course_learner_stats s where s.course_id = c.id order by s.last_at desc limit ${RECENT_LIMIT}) s
          join users u on u.id = s.user_id
          left join lessons l on l.id = s.last_lesson_id
          where c.teacher_id = ${actor.id}::uuid${cf}
          order by s.last_at desc limit ${RECENT_LIMIT}`,
      RecentCompletion,
    ),
    queryRows(
      db,
      sql`select case when r.child_id is null then u.name end as name, r.test_id, v.document->'title' as title, r.kind, r.submitted_at
          from tests t
          cross join lateral (select * from results r where r.test_id = t.id order by r.created_at desc limit ${RECENT_LIMIT}) r
          join users u on u.id = r.user_id
          join test_versions v on v.id = r.version_id
          where t.author_id = ${actor.id}::uuid${testCourseFilter(courseId)}
          order by r.submitted_at desc limit ${RECENT_LIMIT}`,
      RecentSubmission,
    ),
  ]);
  return {
    at: now.toISOString(),
    courseId: courseId ?? null,
    activeNow: counts?.active_now ?? 0,
    activeToday: counts?.active_today ?? 0,
    lessonCompletionsToday: counts?.lessons_today ?? 0,
    submissionsToday: counts?.submissions_today ?? 0,
    recentCompletions: completions.map((r) => ({
      learnerName: r.name,
      courseId: r.course_id,
      courseTitle: r.course_title,
      lessonTitle: r.lesson_title,
      at: iso(r.last_at)!,
    })),
    recentSubmissions: submissions.map((r) => ({
      learnerName: r.name,
      testId: r.test_id,
      testTitle: r.title,
      kind: r.kind,
      at: iso(r.submitted_at)!,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Seams: where learners drop off

const SeamLesson = z.object({ module_id: z.string(), module_title: L10n, id: z.string(), title: L10n, completed: z.number() });
const SeamTotals = z.object({ enrolled: z.number(), completed: z.number() });
/** median_gap: percentile_cont's double precision, null without a learner past one lesson. */
const SeamLearners = z.object({ started: z.number(), abandoned: z.number(), median_gap: col.num.nullable() });
const WrongQuestion = z.object({
  test_id: z.string(),
  test_title: L10n,
  version: z.number(),
  question_key: z.string(),
  text: L10n.nullable(),
  answered: z.number(),
  wrong: z.number(),
});

export async function courseSeams(ctx: Ctx, actor: Actor, courseId: string, abandonDays: number): Promise<SeamsView> {
  await ownCourse(ctx, actor, courseId);
  return cached(ctx, actor, 'dashboard:teacher', `seams:${courseId}:${abandonDays}`, TTL_SEC, async () => {
    const db = ctx.services.db.read;
    const now = ctx.services.now().toISOString();
    const [lessonRows, [totals], [learners], questions] = await Promise.all([
      queryRows(
        db,
        sql`select m.id as module_id, m.title as module_title, l.id, l.title, coalesce(ls.completions, 0)::int as completed
            from modules m join lessons l on l.module_id = m.id left join lesson_stats ls on ls.lesson_id = l.id
            where m.course_id = ${courseId}::uuid
            order by m.position, m.id, l.position, l.id`,
        SeamLesson,
      ),
      queryRows(
        db,
        sql`select coalesce(sum(enrollments), 0)::int as enrolled, coalesce(sum(completions), 0)::int as completed
            from course_day_stats where course_id = ${courseId}::uuid`,
        SeamTotals,
      ),
      queryRows(
        db,
        sql`select count(*)::int as started,
              count(*) filter (where s.lessons_done < (select count(*) from lessons where course_id = ${courseId}::uuid)
                and s.last_at < ${now}::timestamptz - make_interval(days => ${abandonDays}))::int as abandoned,
              percentile_cont(0.5) within group (order by extract(epoch from (s.last_at - s.first_at)) / greatest(s.lessons_done - 1, 1))
                filter (where s.lessons_done > 1) as median_gap
            from course_learner_stats s where s.course_id = ${courseId}::uuid`,
        SeamLearners,
      ),
      queryRows(
        db,
        sql`select q.test_id, v.document->'title' as test_title, q.version, q.question_key,
              (select e->'text' from jsonb_array_elements(v.document->'questions') e where e->>'key' = q.question_key limit 1) as text,
              q.answered, q.wrong
            from tests t
            join question_stats q on q.test_id = t.id and q.answered > 0
            join test_versions v on v.test_id = t.id and v.version = q.version
            where t.course_id = ${courseId}::uuid and t.author_id = ${actor.id}::uuid and t.kind = 'quiz'
            order by q.wrong::float8 / q.answered desc, q.wrong desc, q.test_id, q.version, q.question_key
            limit ${WRONG_QUESTIONS_LIMIT}`,
        WrongQuestion,
      ),
    ]);
    const enrolled = totals?.enrolled ?? 0;
    const modules: SeamsView['modules'] = [];
    for (const r of lessonRows) {
      let m = modules[modules.length - 1];
      if (!m || m.id !== r.module_id) modules.push((m = { id: r.module_id, title: r.module_title, lessons: [] }));
      m.lessons.push({
        id: r.id,
        title: r.title,
        completed: r.completed,
        shareOfEnrolled: enrolled ? round2(r.completed / enrolled) : null,
      });
    }
    return {
      courseId,
      abandonDays,
      enrolled,
      started: learners?.started ?? 0,
      completed: totals?.completed ?? 0,
      abandoned: learners?.abandoned ?? 0,
      medianSecondsBetweenLessons: learners?.median_gap == null ? null : Math.round(learners.median_gap),
      wrongQuestions: questions.map((q) => ({
        testId: q.test_id,
        testTitle: q.test_title,
        version: q.version,
        key: q.question_key,
        text: q.text,
        answered: q.answered,
        wrong: q.wrong,
      })),
      modules,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Voices: what learners say

export const BAND_TESTS_MAX = 50;

const ReviewRow = z.object({
  id: z.string(),
  course_id: z.string(),
  course_title: L10n,
  rating: z.number(),
  text: z.string(),
  name: z.string(),
  reply: z.string().nullable(),
  created_at: col.ts,
});
/** Only the parts of the test document the bands need (the document was validated when saved). */
const BandTest = z.object({
  id: z.string(),
  document: z.object({
    title: L10n,
    scales: z.array(z.object({ key: z.string(), title: L10n, bands: z.array(z.object({ label: L10n.nullish() })) })),
  }),
});
const BandCount = z.object({ test_id: z.string(), scale_key: z.string(), bucket: z.number(), results: z.number() });

export async function teacherVoices(ctx: Ctx, actor: Actor, q: DashboardRange): Promise<VoicesView> {
  const range = dayRange(q, ctx.services.now());
  const bucket = q.bucket ?? 'day';
  if (q.courseId) await ownCourse(ctx, actor, q.courseId);
  return cached(ctx, actor, 'dashboard:teacher', `voices:${range.from}:${range.to}:${bucket}:${q.courseId ?? ''}`, TTL_SEC, async () => {
    const db = ctx.services.db.read;
    const cf = courseFilter(sql`c`, q.courseId);
    const reviewsOf = (unanswered: boolean) =>
      queryRows(
        db,
        sql`select r.id, c.id as course_id, c.title as course_title, r.rating, r.text, u.name, r.reply, r.created_at
            from courses c
            cross join lateral (select * from reviews r where r.course_id = c.id and not r.hidden${unanswered ? sql` and r.reply is null` : sql``}
              order by r.created_at desc, r.id desc limit ${RECENT_LIMIT}) r
            join users u on u.id = r.user_id
            where c.teacher_id = ${actor.id}::uuid${cf}
            order by r.created_at desc, r.id desc limit ${RECENT_LIMIT}`,
        ReviewRow,
      );
    const [[days, subs], newest, unanswered, tests] = await Promise.all([
      seriesRows(ctx, actor, range, q.courseId),
      reviewsOf(false),
      reviewsOf(true),
      queryRows(
        db,
        sql`select t.id, v.document from tests t
            join test_versions v on v.test_id = t.id and v.version = coalesce(t.published_version, t.latest_version)
            where t.author_id = ${actor.id}::uuid and t.kind = 'assessment'${testCourseFilter(q.courseId)}
            order by t.created_at desc limit ${BAND_TESTS_MAX}`,
        BandTest,
      ),
    ]);
    const dist = tests.length
      ? await queryRows(
          db,
          sql`select test_id, scale_key, bucket, sum(results)::int as results from test_score_distribution
              where test_id in (${sql.join(
                tests.map((t) => sql`${t.id}::uuid`),
                sql`, `,
              )}) and scale_key <> ''
              group by test_id, scale_key, bucket`,
          BandCount,
        )
      : [];
    const item = (r: z.infer<typeof ReviewRow>): ReviewItemView => ({
      id: r.id,
      courseId: r.course_id,
      courseTitle: r.course_title,
      rating: r.rating,
      text: r.text,
      authorName: r.name,
      replied: r.reply !== null,
      createdAt: iso(r.created_at)!,
    });
    return {
      from: range.from,
      to: range.to,
      bucket,
      ratings: bucketize(range, bucket, days, subs).map((p) => ({ period: p.period, reviews: p.reviews, averageRating: p.averageRating })),
      newest: newest.map(item),
      unanswered: unanswered.map(item),
      bands: tests.map((t) => ({
        testId: t.id,
        title: t.document.title,
        scales: t.document.scales.map((s) => ({
          key: s.key,
          title: s.title,
          bands: s.bands.map((b, index) => ({
            index,
            label: b.label ?? null,
            count: dist.filter((d) => d.test_id === t.id && d.scale_key === s.key && d.bucket === index).reduce((n, d) => n + d.results, 0),
          })),
        })),
      })),
    };
  });
}
