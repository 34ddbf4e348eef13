import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgMaterializedView,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  customType,
} from 'drizzle-orm/pg-core';
import { courses, fold, titleVector, type LocalizedText } from './catalog.ts';
import { createdAt, id, timestamps } from './columns.ts';
import { children, users } from './identity.ts';

// ---------------------------------------------------------------------------------------------
// The test document (SPEC "Test documents"): stored as authored, one JSON value per version.
// Validated by workers/assessments/document.ts before it gets here.

export interface Band {
  min: number;
  max: number;
  label: LocalizedText;
  text: LocalizedText;
}
export interface Scale {
  key: string;
  title: LocalizedText;
  bands: Band[];
}
export interface ScaleRef {
  scale: string;
  reverse: boolean;
}
export interface ChoiceOption {
  key: string;
  text: LocalizedText;
  /** Points the option adds to each named scale. */
  scores?: Record<string, number>;
  /** Quizzes only. */
  correct?: boolean;
}
export type Question =
  | {
      key: string;
      type: 'likert';
      text: LocalizedText;
      min: number;
      max: number;
      scores?: ScaleRef[];
      /** Words for each point from min to max ("never" … "always"); bare numbers when absent. */
      labels?: LocalizedText[];
    }
  | { key: string; type: 'single' | 'multiple'; text: LocalizedText; options: ChoiceOption[] }
  | { key: string; type: 'text'; text: LocalizedText; maxLength?: number };

export type TestKind = 'quiz' | 'assessment';

export interface TestDocument {
  kind: TestKind;
  courseId: string | null;
  title: LocalizedText;
  description?: LocalizedText;
  /** Null: no time limit. */
  timeLimitSec: number | null;
  /** Quizzes: fraction of choice questions answered correctly needed to pass (0–1). */
  passMark?: number;
  scales: Scale[];
  questions: Question[];
}

/** What a taker sends for one question; exactly one of the shapes, by question type. */
export type Answer = { value: number } | { option: string } | { options: string[] } | { text: string };

/** One scale of a result, as scored when the attempt was submitted. */
export interface ScaleResult {
  key: string;
  title: LocalizedText;
  score: number;
  /** The lowest and highest score the scale can reach in this version (for charts). */
  min: number;
  max: number;
  /** Index into the scale's bands, null when the score falls in none. */
  bandIndex: number | null;
  band: { label: LocalizedText; text: LocalizedText } | null;
}

// ---------------------------------------------------------------------------------------------

export const testKindEnum = pgEnum('test_kind', ['quiz', 'assessment']);
export const testVersionStatusEnum = pgEnum('test_version_status', ['draft', 'published']);
export const attemptStatusEnum = pgEnum('attempt_status', ['open', 'submitted']);
export const reportKindEnum = pgEnum('report_kind', ['result', 'certificate']);
export const reportStatusEnum = pgEnum('report_status', ['queued', 'rendering', 'ready', 'failed']);

/** A test and its version pointers; the content lives in test_versions. */
export const tests = pgTable(
  'tests',
  {
    id: id(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Fixed at creation: results and statistics of one test are all of one kind. */
    kind: testKindEnum('kind').notNull(),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    /** Highest version number (the draft, if there is one). */
    latestVersion: integer('latest_version').notNull().default(1),
    /** The version new attempts start on; null until first published. */
    publishedVersion: integer('published_version'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index('tests_author_idx').on(t.authorId, t.createdAt.desc().nullsFirst()),
    index('tests_course_idx').on(t.courseId),
    // The public listing: published tests, most recently published first (keyset on published_at, id).
    index('tests_published_idx')
      .on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.publishedVersion} is not null`),
  ],
);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A version's title (A) and description (C), configured like courses.search_vector: tests are found by the catalog search. */
const testSearchVector = sql.raw(`
  setweight(to_tsvector('russian', coalesce(document->'title'->>'ru', '')), 'A') ||
  setweight(to_tsvector('english', coalesce(document->'title'->>'en', '')), 'A') ||
  setweight(to_tsvector('simple', ${fold("coalesce(document->'title'->>'kk', '')")}), 'A') ||
  setweight(to_tsvector('russian', coalesce(document->'description'->>'ru', '')), 'C') ||
  setweight(to_tsvector('english', coalesce(document->'description'->>'en', '')), 'C') ||
  setweight(to_tsvector('simple', ${fold("coalesce(document->'description'->>'kk', '')")}), 'C')`);

/**
 * Immutable once published: editing a published test writes a new draft version, and every
 * attempt keeps pointing at the version it started on. At most one draft per test.
 */
export const testVersions = pgTable(
  'test_versions',
  {
    id: id(),
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: testVersionStatusEnum('status').notNull().default('draft'),
    document: jsonb('document').$type<TestDocument>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    searchVector: tsvector('search_vector').generatedAlwaysAs(testSearchVector),
    ...timestamps(),
  },
  (t) => [
    // Search reads published versions only (the one tests.published_version points at).
    index('test_versions_search_idx').using('gin', t.searchVector).where(sql`${t.status} = 'published'`),
    // Title matches first (workers/catalog/search.ts), found without reading description matches.
    index('test_versions_search_title_idx')
      .using('gin', titleVector(sql`(${t.document}->'title')`))
      .where(sql`${t.status} = 'published'`),
    uniqueIndex('test_versions_test_version_key').on(t.testId, t.version),
    uniqueIndex('test_versions_one_draft_key').on(t.testId).where(sql`${t.status} = 'draft'`),
    check('test_versions_version_check', sql`${t.version} >= 1`),
  ],
);

/**
 * One try at a test by an account, for the account holder or one of their children.
 * `userId` is the owning account (the parent for a child's attempt): ownership checks are
 * one equality in SQL.
 */
export const attempts = pgTable(
  'attempts',
  {
    id: id(),
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => testVersions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    childId: uuid('child_id').references(() => children.id, { onDelete: 'cascade' }),
    status: attemptStatusEnum('status').notNull().default('open'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Null: no time limit. Enforced by the server on every answer and by the cron sweep. */
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    /** Submitted by the server when the time ran out. */
    autoSubmitted: boolean('auto_submitted').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index('attempts_user_idx').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('attempts_test_idx').on(t.testId, t.startedAt),
    index('attempts_child_idx').on(t.childId),
    // A retried "start" resumes the open attempt instead of opening a second one.
    uniqueIndex('attempts_one_open_key')
      .on(t.testId, t.userId, sql`coalesce(${t.childId}, '00000000-0000-0000-0000-000000000000'::uuid)`)
      .where(sql`${t.status} = 'open'`),
    index('attempts_open_deadline_idx').on(t.deadlineAt).where(sql`${t.status} = 'open' and ${t.deadlineAt} is not null`),
  ],
);

/** The latest answer per question: saving is an upsert on (attempt, question). */
export const attemptAnswers = pgTable(
  'attempt_answers',
  {
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    questionKey: text('question_key').notNull(),
    answer: jsonb('answer').$type<Answer>().notNull(),
    ...timestamps(),
  },
  (t) => [primaryKey({ name: 'attempt_answers_pkey', columns: [t.attemptId, t.questionKey] })],
);

/** The scored outcome of an attempt: exactly one per attempt (unique), written with the submit. */
export const results = pgTable(
  'results',
  {
    id: id(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => testVersions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    kind: testKindEnum('kind').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    childId: uuid('child_id').references(() => children.id, { onDelete: 'cascade' }),
    scales: jsonb('scales').$type<ScaleResult[]>().notNull(),
    /** Quizzes: fraction of choice questions answered correctly. */
    score: doublePrecision('score'),
    correct: integer('correct'),
    total: integer('total'),
    passed: boolean('passed'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    autoSubmitted: boolean('auto_submitted').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('results_attempt_key').on(t.attemptId),
    index('results_user_created_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('results_child_created_idx')
      .on(t.childId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.childId} is not null`),
    index('results_test_idx').on(t.testId, t.createdAt),
  ],
);

/**
 * PDF reports of results and course-completion certificates. The storage key is derived from
 * what the PDF shows (result + test version, or learner + course), so it is unique: asking
 * twice is one row and one file.
 */
export const reports = pgTable(
  'reports',
  {
    id: id(),
    kind: reportKindEnum('kind').notNull(),
    /** Owner: the account that may read it (the parent for a child's result). */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    resultId: uuid('result_id').references(() => results.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    /** Test version for result reports; 1 for certificates. */
    version: integer('version').notNull().default(1),
    storageKey: text('storage_key').notNull(),
    status: reportStatusEnum('status').notNull().default('queued'),
    /** What the renderer needs beyond the result (certificates: course title). */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    /** Render tries so far (queue attempts that reached the renderer). */
    tries: integer('tries').notNull().default(0),
    /** A consumer holds the job until then; a duplicate message waits for it. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
    readyAt: timestamp('ready_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    error: text('error'),
    sizeBytes: integer('size_bytes'),
    /** Certificates: the public verification code printed on the PDF (XXXX-XXXX-XXXX). */
    verifyCode: text('verify_code'),
    /** Certificates: revoked by an admin; the verification page then says so. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('reports_storage_key_key').on(t.storageKey),
    uniqueIndex('reports_verify_code_key').on(t.verifyCode).where(sql`${t.verifyCode} is not null`),
    index('reports_user_certificates_idx')
      .on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.kind} = 'certificate'`),
    index('reports_user_idx').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('reports_result_idx').on(t.resultId),
    // The report queue's backlog for the admin's queue charts: only the few unfinished rows.
    index('reports_pending_idx').on(t.enqueuedAt, t.updatedAt).where(sql`${t.status} in ('queued', 'rendering')`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Statistics: materialized views created by a hand-written migration (drizzle-kit cannot
// declare their unique indexes, which REFRESH ... CONCURRENTLY needs) and refreshed by the cron.

/** Per test and UTC day: attempts started, completions, quiz score sums. */
export const testDailyStats = pgMaterializedView('test_daily_stats', {
  testId: uuid('test_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  attempts: integer('attempts').notNull(),
  completions: integer('completions').notNull(),
  scoreSum: doublePrecision('score_sum'),
  scored: integer('scored').notNull(),
  passed: integer('passed').notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
}).existing();

/**
 * Score distribution per test: scaleKey '' holds quiz scores in ten buckets (0–0.1 … 0.9–1);
 * other rows count results per scale and band index (-1 = outside every band).
 */
export const testScoreDistribution = pgMaterializedView('test_score_distribution', {
  testId: uuid('test_id').notNull(),
  scaleKey: text('scale_key').notNull(),
  bucket: integer('bucket').notNull(),
  results: integer('results').notNull(),
  scoreSum: doublePrecision('score_sum').notNull(),
}).existing();

export type Test = typeof tests.$inferSelect;
export type TestVersion = typeof testVersions.$inferSelect;
export type Attempt = typeof attempts.$inferSelect;
export type Result = typeof results.$inferSelect;
export type Report = typeof reports.$inferSelect;
