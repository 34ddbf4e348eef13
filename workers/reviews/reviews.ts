import { z } from '@hono/zod-openapi';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { REVIEW_TEXT_MAX, courses, reviews, users } from '../../db/schema/index.ts';
import { courseChanged, gens } from '../catalog/invalidation.ts';
import { pulseAfterCommit } from '../dashboards/pulse.ts';
import { pick, type Lang } from '../catalog/localize.ts';
import { notEnrolled } from '../learning/errors.ts';
import { col, exactTs, iso, queryRows } from '../lib/sql.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, encodeCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { RawNotificationSchema, fromRaw, notificationInsertSql, publishNotifications } from '../notifications/notify.ts';
import type { CourseRating, ModerationReviewView, ModerationStatus, OwnReviewView, ReviewView } from './schemas.ts';

export { REVIEW_TEXT_MAX };
export type { ModerationStatus };

/** A review row as the statements below return it (`returning …` or `row_to_json`). */
const RawReview = z.object({
  id: z.string(),
  course_id: z.string(),
  rating: z.number(),
  text: z.string(),
  hidden: z.boolean(),
  reply: z.string().nullable(),
  reply_at: col.ts.nullable(),
  created_at: col.ts,
  updated_at: col.ts,
  author_name: z.string().optional(),
});
type RawReview = z.infer<typeof RawReview>;

/** The course's counters after a rating update (`row_to_json(counted)`). */
const RawRating = z.object({ rating_avg: col.num, rating_count: z.number() });
type RawRating = z.infer<typeof RawRating>;

const Created = z.object({
  found: z.boolean(),
  teacher: z.boolean(),
  enrolled: z.boolean(),
  review: RawReview.nullable(),
  course: RawRating.nullable(),
  author_name: z.string(),
  notification: RawNotificationSchema.nullable(),
});
const Updated = z.object({ review: RawReview.nullable(), course: RawRating.nullable(), author_name: z.string() });
const Deleted = z.object({ course_id: z.string().nullable() });
const Moderated = z.object({
  review: RawReview.nullable(),
  course: RawRating.nullable(),
  current: RawRating.nullable(),
  changed: z.boolean(),
});
const Replied = z.object({
  found: z.boolean(),
  teacher: z.boolean(),
  review: RawReview.nullable(),
  notification: RawNotificationSchema.nullable(),
});
const ReviewsPage = z.object({
  rating_avg: col.num,
  rating_count: z.number(),
  items: z.array(RawReview.extend({ author_name: z.string(), cursor_at: z.string() })).nullable(),
});

const toView = (r: RawReview, authorName: string): OwnReviewView => ({
  id: r.id,
  courseId: r.course_id,
  rating: r.rating,
  text: r.text,
  author: { name: authorName },
  reply: r.reply !== null && r.reply_at ? { text: r.reply, createdAt: iso(r.reply_at)! } : null,
  hidden: r.hidden,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

const rating = (r: RawRating | null): CourseRating | undefined =>
  r ? { average: Number(r.rating_avg), count: r.rating_count } : undefined;

/**
 * The course's rating counters, moved by `sumDelta` / `countDelta` in the SAME statement as
 * the review change. The arithmetic is relative to the row's current values and the UPDATE
 * takes the course row's lock, so concurrent reviews, edits and hides serialize on it and
 * none is lost; the average is recomputed from the new sum and count in the same update.
 */
function ratingUpdate(source: string, courseId: SQL, sumDelta: SQL, countDelta: SQL, extraWhere: SQL = sql`true`): SQL {
  return sql`update courses set
      rating_sum = rating_sum + ${sumDelta},
      rating_count = rating_count + ${countDelta},
      rating_avg = case when rating_count + ${countDelta} > 0
        then round((rating_sum + ${sumDelta})::numeric / (rating_count + ${countDelta}), 2) else 0 end
    from ${sql.raw(source)}
    where courses.id = ${courseId} and ${extraWhere}
    returning courses.rating_avg, courses.rating_count`;
}

/**
 * After a committed change to a course's reviews or rating: its cached detail and review
 * pages (both keyed on the course generation) and this colo's edge copy are dropped. Lists
 * and search keep their short TTL rather than losing the whole catalog cache per review.
 */
async function reviewsChanged(ctx: Ctx, courseId: string) {
  await courseChanged(ctx, courseId, { listed: false });
}

export interface ReviewInput {
  rating: number;
  text?: string;
}

/**
 * POST /api/courses/:id/reviews — enrolled learners only, once per course (unique pair).
 * One statement: the review, the course's counters and the teacher's notification.
 */
export async function createReview(
  ctx: Ctx,
  actor: Actor,
  courseId: string,
  input: ReviewInput,
): Promise<{ review: OwnReviewView; courseRating: CourseRating }> {
  if (!isId(courseId)) throw notFound('Course');
  const text = (input.text ?? '').trim();
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with c as (
        select id, teacher_id, title from courses where id = ${courseId}::uuid and published
      ), e as (
        select 1 from enrollments where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid
      ), ins as (
        insert into reviews (course_id, user_id, rating, text)
        select c.id, ${actor.id}::uuid, ${input.rating}::smallint, ${text}::text from c
        where exists (select 1 from e) and c.teacher_id <> ${actor.id}::uuid
        on conflict (course_id, user_id) do nothing
        returning id, course_id, rating, text, hidden, reply, reply_at, created_at, updated_at
      ), counted as (
        ${ratingUpdate('ins', sql`ins.course_id`, sql`ins.rating`, sql`1`)}
      ), notified as (
        ${notificationInsertSql({
          userId: sql`c.teacher_id`,
          kind: 'review_received',
          data: sql`jsonb_build_object('courseId', c.id, 'courseTitle', c.title, 'reviewId', ins.id, 'rating', ins.rating)`,
          dedupeKey: sql`'review:' || ins.id`,
          from: sql`ins, c`,
        })}
      )
      select exists (select 1 from c) as found,
        coalesce((select teacher_id = ${actor.id}::uuid from c), false) as teacher,
        exists (select 1 from e) as enrolled,
        (select row_to_json(ins) from ins) as review,
        (select row_to_json(counted) from counted) as course,
        (select name from users where id = ${actor.id}::uuid) as author_name,
        (select row_to_json(notified) from notified) as notification`,
    Created,
  );
  if (!row?.found) throw notFound('Course');
  if (row.teacher) throw forbidden('Teachers cannot review their own course');
  if (!row.enrolled) throw notEnrolled(courseId, 'Only learners enrolled in the course can review it');
  if (!row.review) throw new AppError('already_exists', 'You have already reviewed this course; edit your review instead', { courseId });
  await reviewsChanged(ctx, courseId);
  if (row.notification) publishNotifications(ctx, [fromRaw(row.notification)]);
  pulseAfterCommit(ctx, 'review', { courseId });
  return { review: toView(row.review, row.author_name), courseRating: rating(row.course)! };
}

/**
 * PATCH /api/reviews/:id — the author only (anyone else: 404). The old rating is read under
 * the row lock in the same statement, so the counters move by the exact difference even
 * when an edit and a hide race; a hidden review's rating is not counted either way.
 */
export async function updateReview(
  ctx: Ctx,
  actor: Actor,
  reviewId: string,
  input: Partial<ReviewInput>,
): Promise<{ review: OwnReviewView; courseRating?: CourseRating }> {
  if (!isId(reviewId)) throw notFound('Review');
  const text = input.text === undefined ? null : input.text.trim();
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with o as (
        select id, rating as old_rating from reviews where id = ${reviewId}::uuid and user_id = ${actor.id}::uuid for update
      ), upd as (
        update reviews set rating = coalesce(${input.rating ?? null}::smallint, reviews.rating), text = coalesce(${text}::text, reviews.text), updated_at = now()
        from o where reviews.id = o.id
        returning reviews.id, reviews.course_id, reviews.rating, reviews.text, reviews.hidden, reviews.reply, reviews.reply_at,
          reviews.created_at, reviews.updated_at, o.old_rating
      ), counted as (
        ${ratingUpdate('upd', sql`upd.course_id`, sql`(upd.rating - upd.old_rating)`, sql`0`, sql`not upd.hidden and upd.rating <> upd.old_rating`)}
      )
      select (select row_to_json(upd) from upd) as review, (select row_to_json(counted) from counted) as course,
        (select name from users where id = ${actor.id}::uuid) as author_name`,
    Updated,
  );
  if (!row?.review) throw notFound('Review');
  await reviewsChanged(ctx, row.review.course_id);
  return { review: toView(row.review, row.author_name), courseRating: rating(row.course) };
}

/** DELETE /api/reviews/:id — the author only (anyone else: 404). */
export async function deleteReview(ctx: Ctx, actor: Actor, reviewId: string): Promise<void> {
  if (!isId(reviewId)) throw notFound('Review');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with d as (
        delete from reviews where id = ${reviewId}::uuid and user_id = ${actor.id}::uuid
        returning course_id, rating, hidden
      ), counted as (
        ${ratingUpdate('d', sql`d.course_id`, sql`(-d.rating)`, sql`-1`, sql`not d.hidden`)}
      )
      select (select course_id from d) as course_id, (select count(*) from counted) as counted`,
    Deleted,
  );
  if (!row?.course_id) throw notFound('Review');
  await reviewsChanged(ctx, row.course_id);
}

/**
 * POST /api/admin/reviews/:id/hide | unhide — idempotent. The flag flips only when it
 * differs (checked under the row lock), and the counters move in the same statement.
 */
export async function setReviewHidden(
  ctx: Ctx,
  actor: Actor,
  reviewId: string,
  hidden: boolean,
): Promise<{ review: OwnReviewView; courseRating: CourseRating }> {
  if (!isId(reviewId)) throw notFound('Review');
  const sign = hidden ? sql`-1` : sql`1`;
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with o as (
        select id, hidden as was_hidden from reviews where id = ${reviewId}::uuid for update
      ), upd as (
        update reviews set hidden = ${hidden}, hidden_at = ${hidden ? sql`now()` : sql`null`}, hidden_by = ${hidden ? sql`${actor.id}::uuid` : sql`null`}, updated_at = now()
        from o where reviews.id = o.id and o.was_hidden <> ${hidden}
        returning reviews.id, reviews.course_id, reviews.rating
      ), counted as (
        ${ratingUpdate('upd', sql`upd.course_id`, sql`(${sign} * upd.rating)`, sign)}
      )
      select (select row_to_json(x) from (
          select r.id, r.course_id, r.rating, r.text, ${hidden}::boolean as hidden, r.reply, r.reply_at, r.created_at, r.updated_at, u.name as author_name
          from reviews r join users u on u.id = r.user_id where r.id = (select id from o)
        ) x) as review,
        (select row_to_json(counted) from counted) as course,
        (select row_to_json(cr) from (select rating_avg, rating_count from courses where id = (select course_id from reviews where id = (select id from o))) cr) as current,
        exists (select 1 from upd) as changed`,
    Moderated,
  );
  if (!row?.review) throw notFound('Review');
  if (row.changed) await reviewsChanged(ctx, row.review.course_id);
  return { review: toView(row.review, row.review.author_name ?? ''), courseRating: (rating(row.course) ?? rating(row.current))! };
}

/**
 * POST /api/reviews/:id/reply — the course's teacher, once (a second reply: 409). The
 * `reply is null` condition is re-checked under the row lock, so parallel replies make one.
 */
export async function replyToReview(ctx: Ctx, actor: Actor, reviewId: string, replyText: string): Promise<OwnReviewView> {
  if (!isId(reviewId)) throw notFound('Review');
  const text = replyText.trim();
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with r0 as (
        select r.id, r.user_id, r.course_id, c.teacher_id, c.title from reviews r join courses c on c.id = r.course_id
        where r.id = ${reviewId}::uuid and (not r.hidden or c.teacher_id = ${actor.id}::uuid)
      ), upd as (
        update reviews set reply = ${text}, reply_at = now(), updated_at = now()
        from r0 where reviews.id = r0.id and r0.teacher_id = ${actor.id}::uuid and reviews.reply is null
        returning reviews.id, reviews.course_id, reviews.rating, reviews.text, reviews.hidden, reviews.reply, reviews.reply_at,
          reviews.created_at, reviews.updated_at, (select name from users where id = reviews.user_id) as author_name
      ), notified as (
        ${notificationInsertSql({
          userId: sql`r0.user_id`,
          kind: 'review_reply',
          data: sql`jsonb_build_object('courseId', r0.course_id, 'courseTitle', r0.title, 'reviewId', r0.id)`,
          dedupeKey: sql`'review_reply:' || r0.id`,
          from: sql`upd, r0`,
        })}
      )
      select exists (select 1 from r0) as found,
        coalesce((select teacher_id = ${actor.id}::uuid from r0), false) as teacher,
        (select row_to_json(upd) from upd) as review,
        (select row_to_json(notified) from notified) as notification`,
    Replied,
  );
  if (!row?.found) throw notFound('Review');
  if (!row.teacher) throw forbidden("Only the course's teacher can reply to its reviews");
  if (!row.review) throw new AppError('conflict', 'This review already has a reply', { reviewId });
  await reviewsChanged(ctx, row.review.course_id);
  if (row.notification) publishNotifications(ctx, [fromRaw(row.notification)]);
  return toView(row.review, row.review.author_name ?? '');
}

/**
 * GET /api/courses/:id/reviews — public: visible reviews of a published course, newest
 * first, keyset-paginated; cached under the course's generation (bumped by every review
 * change), so a new, edited or hidden review shows at once.
 */
export async function listReviews(
  ctx: Ctx,
  courseId: string,
  q: { cursor?: string; limit: number },
): Promise<Page<ReviewView> & { rating: CourseRating }> {
  if (!isId(courseId)) throw notFound('Course');
  let after: [string, string] | undefined;
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    after = [at, id];
  }
  return ctx.services.cache.getOrLoad({
    family: 'reviews',
    key: `reviews:${courseId}:${q.limit}:${q.cursor ?? ''}`,
    gens: [gens.course(courseId)],
    ttlSec: 300,
    load: async () => {
      // The primary, not a replica: a lagging replica could store old reviews under the new generation.
      const [row] = await queryRows(
        ctx.services.db.db,
        sql`select c.rating_avg, c.rating_count, (
            select json_agg(x order by x.created_at desc, x.id desc) from (
              select r.id, r.course_id, r.rating, r.text, r.hidden, r.reply, r.reply_at, r.created_at, r.updated_at,
                ${exactTs(sql`r.created_at`)} as cursor_at, u.name as author_name
              from reviews r join users u on u.id = r.user_id
              where r.course_id = c.id and not r.hidden
                ${after ? sql`and (r.created_at, r.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
              order by r.created_at desc, r.id desc
              limit ${q.limit + 1}
            ) x
          ) as items
          from courses c where c.id = ${courseId}::uuid and c.published`,
        ReviewsPage,
      );
      if (!row) throw notFound('Course');
      const rows = row.items ?? [];
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > q.limit && last ? await encodeCursor([last.cursor_at, last.id], ctx.config.JWT_SECRET) : null;
      return {
        items: items.map((r) => {
          const { hidden: _hidden, ...pub } = toView(r, r.author_name);
          return pub;
        }),
        nextCursor,
        rating: { average: Number(row.rating_avg), count: row.rating_count },
      };
    },
  });
}

/**
 * GET /api/admin/reviews — every course's reviews, newest first, keyset-paginated, hidden
 * ones included unless filtered. Admins only. Never cached and read from the primary: a
 * moderator acting on a stale list would hide or show the wrong thing.
 * Served in order by reviews_created_idx (or reviews_hidden_created_idx for `hidden`).
 */
export async function listReviewsForModeration(
  ctx: Ctx,
  actor: Actor,
  q: { status: ModerationStatus; lang: Lang; cursor?: string; limit: number },
): Promise<Page<ModerationReviewView>> {
  if (actor.role !== 'admin') throw forbidden('Only admins moderate reviews');
  const conditions: SQL[] = [];
  if (q.status !== 'all') conditions.push(eq(reviews.hidden, q.status === 'hidden'));
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    conditions.push(sql`(${reviews.createdAt}, ${reviews.id}) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await ctx.services.db.db
    .select({
      id: reviews.id,
      courseId: reviews.courseId,
      courseTitle: courses.title,
      courseLanguage: courses.language,
      authorId: reviews.userId,
      authorName: users.name,
      rating: reviews.rating,
      text: reviews.text,
      hidden: reviews.hidden,
      reply: reviews.reply,
      replyAt: reviews.replyAt,
      createdAt: reviews.createdAt,
      updatedAt: reviews.updatedAt,
      cursorAt: exactTs(reviews.createdAt),
    })
    .from(reviews)
    .innerJoin(courses, eq(courses.id, reviews.courseId))
    .innerJoin(users, eq(users.id, reviews.userId))
    .where(and(...conditions))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.cursorAt, r.id], ctx.config.JWT_SECRET);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      courseId: r.courseId,
      courseTitle: pick(r.courseTitle, q.lang, r.courseLanguage).value,
      rating: r.rating,
      text: r.text,
      author: { id: r.authorId, name: r.authorName },
      reply: r.reply !== null && r.replyAt ? { text: r.reply, createdAt: iso(r.replyAt)! } : null,
      hidden: r.hidden,
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
    })),
  };
}
