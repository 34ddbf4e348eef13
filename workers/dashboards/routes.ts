import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf, type AppContext } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { errorResponses, IdParam } from '../lib/openapi.ts';
import { text } from '../lib/text.ts';
import { opsDashboard, platformDashboard } from './admin.ts';
import { toCsv } from './range.ts';
import { Format, Ops, Overview, Platform, Pulse, RangeQuery, Role, Seams, Voices } from './schemas.ts';
import { courseSeams, teacherOverview, teacherPulse, teacherVoices } from './teacher.ts';

const jsonOrCsv = <T extends z.ZodType>(schema: T) => ({
  description: 'OK (JSON, or CSV with format=csv)',
  content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } },
});

const teacher = authenticate(['teacher']);
const admin = authenticate(['admin']);
const errors = errorResponses(400, 401, 403, 404);

const r = {
  overview: createRoute({
    method: 'get',
    path: '/dashboard/overview',
    tags: ['dashboards'],
    summary: "Your courses' enrollments, completions, lesson completions, submissions and reviews per day or week (at most 400 days)",
    middleware: [teacher] as const,
    request: { query: RangeQuery },
    responses: { 200: jsonOrCsv(Overview), ...errors },
  }),
  pulse: createRoute({
    method: 'get',
    path: '/dashboard/pulse',
    tags: ['dashboards'],
    summary:
      'Learners active now (last 5 minutes) and today, and the latest completions and submissions; live updates arrive on /api/me/live',
    middleware: [teacher] as const,
    request: {
      query: z
        .object({
          courseId: text().max(64).optional(),
          format: Format,
          table: z.enum(['completions', 'submissions']).default('completions'),
        })
        .strict(),
    },
    responses: { 200: jsonOrCsv(Pulse), ...errors },
  }),
  seams: createRoute({
    method: 'get',
    path: '/dashboard/courses/{id}/seams',
    tags: ['dashboards'],
    summary: 'Where learners of your course drop off: the lesson funnel, abandoned learners, median time between lessons',
    middleware: [teacher] as const,
    request: {
      params: IdParam,
      query: z
        .object({
          abandonDays: z.coerce.number().int().min(1).max(365).default(14),
          format: Format,
          table: z.enum(['lessons', 'questions']).default('lessons'),
        })
        .strict(),
    },
    responses: { 200: jsonOrCsv(Seams), ...errors },
  }),
  voices: createRoute({
    method: 'get',
    path: '/dashboard/voices',
    tags: ['dashboards'],
    summary: 'Ratings over time, newest and unanswered reviews, assessment band distribution of your tests',
    middleware: [teacher] as const,
    request: { query: RangeQuery.extend({ table: z.enum(['ratings', 'newest', 'unanswered', 'bands']).default('ratings') }).strict() },
    responses: { 200: jsonOrCsv(Voices), ...errors },
  }),
  platform: createRoute({
    method: 'get',
    path: '/admin/dashboard',
    tags: ['admin', 'dashboards'],
    summary: 'Users by role, registrations, teachers waiting for verification, payments per day and currency, content counts',
    middleware: [admin] as const,
    request: {
      query: RangeQuery.omit({ courseId: true })
        .extend({ table: z.enum(['registrations', 'payments']).default('registrations') })
        .strict(),
    },
    responses: { 200: jsonOrCsv(Platform), ...errorResponses(400, 401, 403) },
  }),
  ops: createRoute({
    method: 'get',
    path: '/admin/dashboard/ops',
    tags: ['admin', 'dashboards'],
    summary:
      'Request rate, error rate, latency per route family, cache hit rate, rate-limit blocks, queue depth and age and dead letters over the last hour or day',
    middleware: [admin] as const,
    request: {
      query: z
        .object({
          window: z.enum(['hour', 'day']).default('hour'),
          format: Format,
          table: z.enum(['requests', 'queues']).default('requests'),
        })
        .strict(),
    },
    responses: { 200: jsonOrCsv(Ops), ...errorResponses(400, 401, 403) },
  }),
};

const title = (t: { ru?: string; kk?: string; en?: string } | null) => (t ? (t.ru ?? t.kk ?? t.en ?? '') : '');

/** CSV answers are downloads of the same (private) data. */
function csv(c: AppContext, name: string, body: string) {
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}.csv"`,
  });
}

export const dashboardsRoutes = createRouter()
  .openapi(r.overview, async (c) => {
    const q = c.req.valid('query');
    const v = await teacherOverview(ctxOf(c), c.var.actor, q);
    if (q.format === 'csv') {
      return csv(
        c,
        `overview-${v.from}-${v.to}`,
        toCsv(
          ['period', 'enrollments', 'completions', 'lesson_completions', 'submissions', 'reviews', 'average_rating'],
          v.series.map((p) => [p.period, p.enrollments, p.completions, p.lessonCompletions, p.submissions, p.reviews, p.averageRating]),
        ),
      );
    }
    return c.json(v, 200);
  })
  .openapi(r.pulse, async (c) => {
    const q = c.req.valid('query');
    const v = await teacherPulse(ctxOf(c), c.var.actor, q);
    if (q.format === 'csv') {
      return q.table === 'submissions'
        ? csv(
            c,
            'pulse-submissions',
            toCsv(
              ['at', 'learner', 'test'],
              v.recentSubmissions.map((s) => [s.at, s.learnerName, title(s.testTitle)]),
            ),
          )
        : csv(
            c,
            'pulse-completions',
            toCsv(
              ['at', 'learner', 'course', 'lesson'],
              v.recentCompletions.map((s) => [s.at, s.learnerName, title(s.courseTitle), title(s.lessonTitle)]),
            ),
          );
    }
    return c.json(v, 200);
  })
  .openapi(r.seams, async (c) => {
    const q = c.req.valid('query');
    const v = await courseSeams(ctxOf(c), c.var.actor, c.req.valid('param').id, q.abandonDays);
    if (q.format === 'csv' && q.table === 'questions') {
      return csv(
        c,
        'wrong-questions',
        toCsv(
          ['test', 'version', 'question', 'answered', 'wrong'],
          v.wrongQuestions.map((w) => [title(w.testTitle), w.version, title(w.text), w.answered, w.wrong]),
        ),
      );
    }
    if (q.format === 'csv') {
      return csv(
        c,
        'seams',
        toCsv(
          ['module', 'lesson', 'completed', 'share_of_enrolled'],
          v.modules.flatMap((m) => m.lessons.map((l) => [title(m.title), title(l.title), l.completed, l.shareOfEnrolled])),
        ),
      );
    }
    return c.json(v, 200);
  })
  .openapi(r.voices, async (c) => {
    const q = c.req.valid('query');
    const v = await teacherVoices(ctxOf(c), c.var.actor, q);
    if (q.format === 'csv') {
      const reviews = (items: typeof v.newest) =>
        toCsv(
          ['created_at', 'course', 'rating', 'author', 'replied', 'text'],
          items.map((i) => [i.createdAt, title(i.courseTitle), i.rating, i.authorName, i.replied ? 'yes' : 'no', i.text]),
        );
      if (q.table === 'newest') return csv(c, 'reviews-newest', reviews(v.newest));
      if (q.table === 'unanswered') return csv(c, 'reviews-unanswered', reviews(v.unanswered));
      if (q.table === 'bands') {
        return csv(
          c,
          'bands',
          toCsv(
            ['test', 'scale', 'band', 'results'],
            v.bands.flatMap((t) => t.scales.flatMap((s) => s.bands.map((b) => [title(t.title), title(s.title), title(b.label), b.count]))),
          ),
        );
      }
      return csv(
        c,
        'ratings',
        toCsv(
          ['period', 'reviews', 'average_rating'],
          v.ratings.map((p) => [p.period, p.reviews, p.averageRating]),
        ),
      );
    }
    return c.json(v, 200);
  })
  .openapi(r.platform, async (c) => {
    const q = c.req.valid('query');
    const v = await platformDashboard(ctxOf(c), c.var.actor, q);
    if (q.format === 'csv') {
      return q.table === 'payments'
        ? csv(
            c,
            'payments',
            toCsv(
              ['period', 'currency', 'succeeded', 'volume_minor_units', 'refunded', 'refunded_minor_units'],
              v.payments.map((p) => [p.period, p.currency, p.succeeded, p.volume, p.refunded, p.refundedAmount]),
            ),
          )
        : csv(
            c,
            'registrations',
            toCsv(
              ['period', ...Role.options],
              v.registrations.map((p) => [p.period, p.learner, p.parent, p.teacher, p.admin]),
            ),
          );
    }
    return c.json(v, 200);
  })
  .openapi(r.ops, async (c) => {
    const q = c.req.valid('query');
    const v = await opsDashboard(ctxOf(c), c.var.actor, q.window);
    if (q.format === 'csv' && q.table === 'queues') {
      return csv(
        c,
        `queues-${q.window}`,
        toCsv(
          ['at', 'queue', 'depth', 'oldest_age_sec', 'handled', 'mean_wait_ms', 'dead_lettered'],
          v.queues.flatMap((s) => s.points.map((p) => [p.at, s.queue, p.depth, p.oldestAgeSec, p.handled, p.meanWaitMs, p.deadLettered])),
        ),
      );
    }
    if (q.format === 'csv') {
      return csv(
        c,
        `ops-${q.window}`,
        toCsv(
          ['at', 'requests', 'errors', 'error_rate', 'mean_ms', 'p95_ms', 'rate_limited'],
          v.total.map((p) => [p.at, p.requests, p.errors, p.errorRate, p.meanMs, p.p95Ms, p.rateLimited]),
        ),
      );
    }
    return c.json(v, 200);
  });
