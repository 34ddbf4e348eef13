import { z } from '@hono/zod-openapi';
import { text } from '../lib/text.ts';

/**
 * The dashboards' answers, written once: the routes document them, the domain (teacher.ts,
 * admin.ts) returns their inferred types, and the site's types are generated from the document
 * (`npm run gen:api`).
 */

export const L10n = z.object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() }).openapi('DashboardText');
const Day = text().max(10).openapi({ example: '2026-11-01', description: 'UTC day, YYYY-MM-DD' });
const Bucket = z.enum(['day', 'week']);
export const Format = z.enum(['json', 'csv']).default('json');
export const RangeQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    bucket: Bucket.default('day'),
    courseId: text().max(64).optional(),
    format: Format,
  })
  .strict();

const Point = z.object({
  period: z.string(),
  enrollments: z.number(),
  completions: z.number(),
  lessonCompletions: z.number(),
  submissions: z.number(),
  reviews: z.number(),
  averageRating: z.number().nullable().openapi({ description: "Mean stars of the period's visible reviews; null without reviews" }),
});
export const Overview = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: Bucket,
    courseId: z.string().nullable(),
    totals: Point.omit({ period: true }),
    series: z.array(Point),
    courses: z.array(
      z.object({ id: z.string(), title: L10n, published: z.boolean(), enrollments: z.number(), rating: z.number(), ratings: z.number() }),
    ),
  })
  .openapi('DashboardOverview');
export const Pulse = z
  .object({
    at: z.string(),
    courseId: z.string().nullable(),
    activeNow: z.number().openapi({ description: 'Learners who completed a lesson of these courses in the last 5 minutes' }),
    activeToday: z.number().openapi({ description: 'The same since 00:00 UTC' }),
    lessonCompletionsToday: z.number(),
    submissionsToday: z.number(),
    recentCompletions: z.array(
      z.object({ learnerName: z.string(), courseId: z.string(), courseTitle: L10n, lessonTitle: L10n.nullable(), at: z.string() }),
    ),
    recentSubmissions: z.array(
      z.object({
        learnerName: z
          .string()
          .nullable()
          .openapi({ description: "Null when the result is a child's (a teacher never sees a child's name)" }),
        testId: z.string(),
        testTitle: L10n,
        kind: z.string(),
        at: z.string(),
      }),
    ),
  })
  .openapi('DashboardPulse');
export const Seams = z
  .object({
    courseId: z.string(),
    abandonDays: z.number(),
    enrolled: z.number(),
    started: z.number().openapi({ description: 'Completed at least one lesson' }),
    completed: z.number(),
    abandoned: z.number().openapi({ description: 'Started, not finished, and no lesson completed in the last `abandonDays` days' }),
    medianSecondsBetweenLessons: z.number().nullable().openapi({
      description: 'Median over learners of their mean time between two lesson completions (seconds); null with no such learner',
    }),
    wrongQuestions: z
      .array(
        z.object({
          testId: z.string(),
          testTitle: L10n,
          version: z.number(),
          key: z.string(),
          text: L10n.nullable(),
          answered: z.number(),
          wrong: z.number(),
        }),
      )
      .openapi({ description: "Quiz choice questions of this course's tests most often wrong (or left unanswered), worst share first" }),
    modules: z.array(
      z.object({
        id: z.string(),
        title: L10n,
        lessons: z.array(z.object({ id: z.string(), title: L10n, completed: z.number(), shareOfEnrolled: z.number().nullable() })),
      }),
    ),
  })
  .openapi('DashboardSeams');
const ReviewItem = z.object({
  id: z.string(),
  courseId: z.string(),
  courseTitle: L10n,
  rating: z.number(),
  text: z.string(),
  authorName: z.string(),
  replied: z.boolean(),
  createdAt: z.string(),
});
export const Voices = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: Bucket,
    ratings: z.array(z.object({ period: z.string(), reviews: z.number(), averageRating: z.number().nullable() })),
    newest: z.array(ReviewItem),
    unanswered: z.array(ReviewItem),
    bands: z
      .array(
        z.object({
          testId: z.string(),
          title: L10n,
          scales: z.array(
            z.object({
              key: z.string(),
              title: L10n,
              bands: z.array(z.object({ index: z.number(), label: L10n.nullable(), count: z.number() })),
            }),
          ),
        }),
      )
      .openapi({ description: 'Results per band of each scale (from the statistics views the cron refreshes every 5 minutes)' }),
  })
  .openapi('DashboardVoices');
export const Role = z.enum(['learner', 'parent', 'teacher', 'admin']);
export const Platform = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: Bucket,
    usersByRole: z.object({ learner: z.number(), parent: z.number(), teacher: z.number(), admin: z.number() }),
    registrations: z.array(
      z.object({ period: z.string(), learner: z.number(), parent: z.number(), teacher: z.number(), admin: z.number() }),
    ),
    pendingTeachers: z.object({
      count: z.number(),
      oldest: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), createdAt: z.string() })),
    }),
    payments: z.array(
      z.object({
        period: z.string(),
        currency: z.string(),
        succeeded: z.number(),
        volume: z.number(),
        refunded: z.number(),
        refundedAmount: z.number(),
      }),
    ),
    content: z.object({
      courses: z.number(),
      published: z.number(),
      reviews: z.number(),
      hiddenReviews: z.number(),
      publishedTests: z.number(),
    }),
  })
  .openapi('PlatformDashboard');
const OpsPoint = z.object({
  at: z.string(),
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(),
  meanMs: z.number().nullable(),
  p95Ms: z
    .number()
    .openapi({ description: 'Upper bound: the highest per-minute, per-isolate-flush p95 in the point (a histogram bucket bound)' }),
  rateLimited: z.number(),
});
const QueuePoint = z.object({
  at: z.string(),
  depth: z.number().nullable().openapi({ description: "Messages waiting or in work (the step's highest sample); null where not sampled" }),
  oldestAgeSec: z.number().nullable().openapi({ description: 'Age of the oldest waiting message (highest sample); null when none waits' }),
  handled: z.number(),
  meanWaitMs: z.number().nullable().openapi({ description: 'Mean time the handled messages waited in the queue' }),
  deadLettered: z.number().openapi({ description: 'Messages received by this dead-letter queue' }),
});
const QueueSeries = z.object({
  queue: z.string(),
  /** Dead-letter queues have only dead-letter counts. */
  deadLetter: z.boolean(),
  points: z.array(QueuePoint),
  deadLettered: z.number(),
});
export const Ops = z
  .object({
    window: z.enum(['hour', 'day']),
    step: z.enum(['minute', 'hour']),
    total: z.array(OpsPoint),
    families: z.array(
      z.object({ family: z.string(), requests: z.number(), errors: z.number(), p95Ms: z.number(), meanMs: z.number().nullable() }),
    ),
    cache: z.object({ hits: z.number(), misses: z.number(), hitRate: z.number().nullable() }),
    queues: z.array(QueueSeries).openapi({
      description: "Queues: the report backlog sampled from our rows every minute, and each queue's handled and dead-lettered messages",
    }),
  })
  .openapi('OpsDashboard');

/** Domain input: the range of a dashboard read (defaults applied by the domain). */
export type DashboardRange = Omit<z.input<typeof RangeQuery>, 'format'>;
export type SeriesPoint = z.infer<typeof Point>;
export type OverviewView = z.infer<typeof Overview>;
export type PulseView = z.infer<typeof Pulse>;
export type SeamsView = z.infer<typeof Seams>;
export type ReviewItemView = z.infer<typeof ReviewItem>;
export type VoicesView = z.infer<typeof Voices>;
export type PlatformView = z.infer<typeof Platform>;
export type OpsPointView = z.infer<typeof OpsPoint>;
export type QueueSeriesView = z.infer<typeof QueueSeries>;
export type OpsView = z.infer<typeof Ops>;
