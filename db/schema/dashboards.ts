import { bigint, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { roleEnum } from './identity.ts';
import { courses, lessons } from './catalog.ts';
import { tests } from './assessments.ts';

/*
 * Dashboard rollups. Each is kept exact by a Postgres trigger on its source table (see the
 * hand-written part of the dashboards migration): the change lands in the same statement
 * as the write that causes it, whichever code path writes (API, cron, cascade of a deleted
 * user or course), so a dashboard read sums a few rollup rows instead of scanning
 * enrollments or progress. Days are UTC dates.
 *
 * Inserts and deletes are counted by statement-level triggers (one grouped upsert per statement,
 * in key order, so bulk statements cannot deadlock on rollup rows); every rollup cascades with
 * its course/lesson/test and the upserts skip parents that no longer exist, so a cascading
 * delete cannot resurrect a row.
 */

/** Per course and UTC day. */
export const courseDayStats = pgTable(
  'course_day_stats',
  {
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    /** Enrollments created that day (still existing). */
    enrollments: integer('enrollments').notNull().default(0),
    /** Enrollments completed that day. */
    completions: integer('completions').notNull().default(0),
    /** Lesson completions (lesson_progress rows) that day. */
    lessonCompletions: integer('lesson_completions').notNull().default(0),
    /** Visible reviews written that day, and the sum of their stars. */
    reviews: integer('reviews').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'course_day_stats_pkey', columns: [t.courseId, t.day] })],
);

/** Submitted attempts (results) per test and UTC day. */
export const testDaySubmissions = pgTable(
  'test_day_submissions',
  {
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    submissions: integer('submissions').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'test_day_submissions_pkey', columns: [t.testId, t.day] })],
);

/** Learners who completed each lesson (the funnel). */
export const lessonStats = pgTable(
  'lesson_stats',
  {
    lessonId: uuid('lesson_id')
      .primaryKey()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    completions: integer('completions').notNull().default(0),
  },
  (t) => [index('lesson_stats_course_idx').on(t.courseId)],
);

/**
 * One row per learner with progress in a course: how many lessons, first and last completion
 * and the last lesson. Recounted from lesson_progress (one learner's rows in one course, an
 * index range) on every change, so it stays exact after lesson deletes too.
 */
export const courseLearnerStats = pgTable(
  'course_learner_stats',
  {
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    lessonsDone: integer('lessons_done').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
    lastLessonId: uuid('last_lesson_id'),
  },
  (t) => [
    primaryKey({ name: 'course_learner_stats_pkey', columns: [t.courseId, t.userId] }),
    // Pulse (active in the last minutes, recent completions) and "abandoned after N days".
    index('course_learner_stats_last_idx').on(t.courseId, t.lastAt.desc().nullsFirst()),
  ],
);

/** Registrations per UTC day and role (of accounts that still exist). */
export const registrationDayStats = pgTable(
  'registration_day_stats',
  {
    day: date('day', { mode: 'string' }).notNull(),
    role: roleEnum('role').notNull(),
    registrations: integer('registrations').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'registration_day_stats_pkey', columns: [t.day, t.role] })],
);

/** Payments per UTC day and currency: succeeded (on the day they succeeded) and refunded (on the refund day). */
export const paymentDayStats = pgTable(
  'payment_day_stats',
  {
    day: date('day', { mode: 'string' }).notNull(),
    currency: text('currency').notNull(),
    succeeded: integer('succeeded').notNull().default(0),
    succeededAmount: bigint('succeeded_amount', { mode: 'number' }).notNull().default(0),
    refunded: integer('refunded').notNull().default(0),
    refundedAmount: bigint('refunded_amount', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ name: 'payment_day_stats_pkey', columns: [t.day, t.currency] })],
);

/**
 * Operations per minute and route family, flushed from each isolate's metrics registry by the
 * request path (at most once a minute per isolate): the admin's charts read these rows.
 */
export const opsMinuteStats = pgTable(
  'ops_minute_stats',
  {
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    family: text('family').notNull(),
    requests: integer('requests').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    /** Sum of latencies (ms) and the slowest bucket bound seen, for mean and an upper p95. */
    latencyMsSum: bigint('latency_ms_sum', { mode: 'number' }).notNull().default(0),
    p95Ms: integer('p95_ms').notNull().default(0),
    cacheHits: integer('cache_hits').notNull().default(0),
    cacheMisses: integer('cache_misses').notNull().default(0),
    rateLimited: integer('rate_limited').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'ops_minute_stats_pkey', columns: [t.minute, t.family] })],
);

/**
 * Queues per minute, for the admin's charts (Workers cannot ask a Cloudflare Queue its depth):
 * `depth` and `oldestAgeSec` sampled from our own rows when an isolate flushes its operations
 * rollup (reports still queued or rendering — the report queue's backlog; null where no rows
 * tell it), the other columns added from each isolate's queue metrics since its last flush:
 * messages handled and their summed wait, and messages received by a dead-letter consumer
 * (on the dead-letter queue's own row).
 */
export const queueMinuteStats = pgTable(
  'queue_minute_stats',
  {
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    queue: text('queue').notNull(),
    /** The highest sample in the minute. */
    depth: integer('depth'),
    oldestAgeSec: integer('oldest_age_sec'),
    handled: integer('handled').notNull().default(0),
    waitMsSum: bigint('wait_ms_sum', { mode: 'number' }).notNull().default(0),
    deadLettered: integer('dead_lettered').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'queue_minute_stats_pkey', columns: [t.minute, t.queue] })],
);

/**
 * Quiz choice questions per test version: how many submitted results included the question
 * and how many of those got it wrong (or left it unanswered) — graded in the results trigger
 * by the same rule as assessments/scoring.ts (all-or-nothing on the chosen option set).
 */
export const questionStats = pgTable(
  'question_stats',
  {
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    questionKey: text('question_key').notNull(),
    answered: integer('answered').notNull().default(0),
    wrong: integer('wrong').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'question_stats_pkey', columns: [t.testId, t.version, t.questionKey] })],
);

/**
 * What the results trigger graded per result, so deleting a result (or its cascade, when the
 * answers may already be gone) takes back exactly what it added. No foreign key on purpose:
 * the delete trigger reads the row before removing it.
 */
export const resultQuestionMarks = pgTable('result_question_marks', {
  resultId: uuid('result_id').primaryKey(),
  testId: uuid('test_id').notNull(),
  version: integer('version').notNull(),
  keys: text('keys').array().notNull(),
  wrong: text('wrong').array().notNull(),
});
