import { sql } from 'drizzle-orm';
import { boolean, check, index, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { courses, lessons } from './catalog.ts';
import { createdAt, id, timestamps } from './columns.ts';
import { users } from './identity.ts';

export const enrollmentStatusEnum = pgEnum('enrollment_status', ['active', 'completed']);

/** One row per learner and course (a unique pair): enrolling twice is one enrollment. */
export const enrollments = pgTable(
  'enrollments',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    /** Set to completed once, by a conditional update, the first time progress reaches 100 %. */
    status: enrollmentStatusEnum('status').notNull().default('active'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('enrollments_user_course_key').on(t.userId, t.courseId),
    index('enrollments_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('enrollments_course_idx').on(t.courseId),
  ],
);

/**
 * A completed lesson. Progress is never stored as a percentage: it is counted against the
 * course's current lessons (a join), so adding a lesson lowers it and deleting one (which
 * cascades here) keeps it right.
 */
export const lessonProgress = pgTable(
  'lesson_progress',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    /** Denormalized from the lesson: per-course progress reads one index range. */
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'lesson_progress_pkey', columns: [t.userId, t.lessonId] }),
    index('lesson_progress_user_course_idx').on(t.userId, t.courseId),
    // Deleting a lesson cascades here; without it each deleted lesson scans the whole table.
    index('lesson_progress_lesson_idx').on(t.lessonId),
  ],
);

export const favorites = pgTable(
  'favorites',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'favorites_pkey', columns: [t.userId, t.courseId] }),
    index('favorites_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.courseId.desc().nullsFirst()),
  ],
);

export const REVIEW_TEXT_MAX = 2000;

/**
 * One review per learner and course. The course's rating counters (courses.rating_*) count
 * visible reviews only and are changed in the same statement as the review.
 */
export const reviews = pgTable(
  'reviews',
  {
    id: id(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    rating: smallint('rating').notNull(),
    text: text('text').notNull().default(''),
    /** Hidden by an admin: excluded from lists and from the course's rating. */
    hidden: boolean('hidden').notNull().default(false),
    hiddenAt: timestamp('hidden_at', { withTimezone: true }),
    hiddenBy: uuid('hidden_by').references(() => users.id, { onDelete: 'set null' }),
    /** The course teacher's one answer. */
    reply: text('reply'),
    replyAt: timestamp('reply_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('reviews_course_user_key').on(t.courseId, t.userId),
    index('reviews_course_visible_idx')
      .on(t.courseId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`not ${t.hidden}`),
    // Moderation (all courses, newest first): the whole list and, partial and small, the hidden ones.
    index('reviews_created_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('reviews_hidden_created_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.hidden}`),
    index('reviews_user_idx').on(t.userId),
    check('reviews_rating_check', sql`${t.rating} between 1 and 5`),
    check('reviews_text_check', sql`char_length(${t.text}) <= ${sql.raw(String(REVIEW_TEXT_MAX))}`),
    check('reviews_reply_check', sql`char_length(${t.reply}) <= ${sql.raw(String(REVIEW_TEXT_MAX))}`),
  ],
);

export type Enrollment = typeof enrollments.$inferSelect;
export type LessonProgress = typeof lessonProgress.$inferSelect;
export type Favorite = typeof favorites.$inferSelect;
export type Review = typeof reviews.$inferSelect;
