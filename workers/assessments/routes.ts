import { createRoute, z } from '@hono/zod-openapi';
import { etag } from 'hono/etag';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate, authenticateOptional } from '../identity/auth.ts';
import type { Actor } from '../lib/context.ts';
import { PUBLIC_LIST_HEADERS } from '../lib/edge-cache.ts';
import { IdParam, Language, PageQuery, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { text } from '../lib/text.ts';
import { getAttempt, saveAnswer, startAttempt, submitAttempt } from './attempts.ts';
import { createTest, getTest, publishTest, updateTest } from './authoring.ts';
import { TESTS_PAGE_PATHS } from '../site/lists.ts';
import { AnswerBodySchema } from './document.ts';
import { listPublishedTests, listTeacherTests } from './listing.ts';
import { getResult, listMyResults } from './results.ts';
import {
  AttemptSchema,
  AuthorTestSchema,
  LocalizedTextSchema,
  PublishedTestItemSchema,
  ResultSchema,
  TakerQuestionSchema,
  TakerTestSchema,
  TeacherTestItemSchema,
} from './schemas.ts';
import { getTestStats } from './stats.ts';

const Localized = LocalizedTextSchema;

/** The test document (SPEC "Test documents"); validated in full by the domain, which names the field. */
const TestDocumentBody = z.record(z.string(), z.unknown()).openapi('TestDocumentInput', {
  description:
    'kind, courseId, title, description, timeLimitSec, passMark (quizzes), scales, questions. PATCH merges top-level fields over the latest version; `description: null` removes the description.',
});

const AuthorTest = AuthorTestSchema;
const _TakerQuestion = TakerQuestionSchema;
const TakerTest = TakerTestSchema;
const Attempt = AttemptSchema;
const Result = ResultSchema;
/** Exported for the listing tests, which check answers against them. */
export const TeacherTestItem = TeacherTestItemSchema;
export const PublishedTestItem = PublishedTestItemSchema;

const Answer = z.union([
  z.object({ value: z.number() }),
  z.object({ option: z.string() }),
  z.object({ options: z.array(z.string()) }),
  z.object({ text: z.string() }),
]);

const _Band = z.object({ label: Localized, text: Localized });

const Stats = z
  .object({
    testId: z.string(),
    kind: z.enum(['quiz', 'assessment']),
    refreshedAt: z.string().nullable(),
    attempts: z.number(),
    completions: z.number(),
    averageScore: z.number().nullable(),
    passRate: z.number().nullable(),
    perDay: z.array(z.object({ day: z.string(), attempts: z.number(), completions: z.number() })),
    scoreDistribution: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
    scales: z.array(
      z.object({
        key: z.string(),
        title: Localized,
        results: z.number(),
        averageScore: z.number().nullable(),
        bands: z.array(z.object({ index: z.number(), label: Localized.nullable(), count: z.number() })),
      }),
    ),
  })
  .openapi('TestStats');

const Kind = z.enum(['quiz', 'assessment']);

// Unknown parameters are an error, not silently ignored.
const TeacherTestsQuery = PageQuery.extend({ kind: Kind.optional() }).strict();
const PublishedTestsQuery = z
  .object({
    lang: Language.default('ru'),
    kind: Kind.optional(),
    courseId: text().max(64).optional(),
    cursor: text().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict();

const AnswerParams = z.object({ id: text().max(64), questionKey: text().max(64) });

const r = {
  listPublished: createRoute({
    method: 'get',
    path: '/tests',
    tags: ['assessments'],
    summary: 'Published quizzes and assessments, most recently published first (anyone)',
    description: 'Texts are resolved to `lang` with a fallback (`titleLang` says which). Filters: `kind`, `courseId`. Cursor pagination.',
    middleware: [rateLimit('catalog.read'), etag()] as const,
    request: { query: PublishedTestsQuery },
    responses: { 200: json(pageOf(PublishedTestItem)), ...errorResponses(400, 429) },
  }),
  teacherTests: createRoute({
    method: 'get',
    path: '/teacher/tests',
    tags: ['assessments'],
    summary: "The teacher's own tests, drafts included, newest first (admins: everyone's)",
    middleware: [authenticate(['teacher', 'admin'])] as const,
    request: { query: TeacherTestsQuery },
    responses: { 200: json(pageOf(TeacherTestItem)), ...errorResponses(400, 401, 403) },
  }),
  createTest: createRoute({
    method: 'post',
    path: '/tests',
    tags: ['assessments'],
    summary: 'Create a quiz or assessment (draft version 1); verified teachers and admins',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(TestDocumentBody) },
    responses: { 201: json(AuthorTest, 'Created'), ...errorResponses(400, 401, 403) },
  }),
  getTest: createRoute({
    method: 'get',
    path: '/tests/{id}',
    tags: ['assessments'],
    summary: 'The author gets the latest document with answers; anyone else the published questions only',
    middleware: [authenticateOptional()] as const,
    request: { params: IdParam },
    responses: { 200: json(z.union([AuthorTest, TakerTest])), ...errorResponses(401, 404) },
  }),
  updateTest: createRoute({
    method: 'patch',
    path: '/tests/{id}',
    tags: ['assessments'],
    summary: 'Edit the draft; editing a published test starts a new draft version',
    middleware: [authenticate()] as const,
    request: { params: IdParam, body: jsonBody(TestDocumentBody) },
    responses: { 200: json(AuthorTest), ...errorResponses(400, 401, 403, 404) },
  }),
  publishTest: createRoute({
    method: 'post',
    path: '/tests/{id}/publish',
    tags: ['assessments'],
    summary: 'Freeze the draft as the version new attempts start on',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(AuthorTest), ...errorResponses(400, 401, 403, 404) },
  }),
  stats: createRoute({
    method: 'get',
    path: '/tests/{id}/stats',
    tags: ['assessments'],
    summary: 'Aggregated statistics of your test (refreshed in the background)',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Stats), ...errorResponses(401, 404) },
  }),
  startAttempt: createRoute({
    method: 'post',
    path: '/tests/{id}/attempts',
    tags: ['assessments'],
    summary: 'Start (or resume) an attempt, for yourself or one of your children',
    middleware: [authenticate()] as const,
    request: {
      params: IdParam,
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ childId: text().max(64).nullable().optional() }).strict() } },
      },
    },
    responses: { 201: json(Attempt, 'Started'), 200: json(Attempt, 'The open attempt, resumed'), ...errorResponses(400, 401, 404) },
  }),
  getAttempt: createRoute({
    method: 'get',
    path: '/attempts/{id}',
    tags: ['assessments'],
    summary: 'Questions (without answers or scores), the answers saved so far and the deadline',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Attempt), ...errorResponses(401, 404) },
  }),
  answer: createRoute({
    method: 'put',
    path: '/attempts/{id}/answers/{questionKey}',
    tags: ['assessments'],
    summary: 'Save one answer (idempotent): {value} likert, {option} single, {options} multiple, {text}',
    middleware: [authenticate()] as const,
    request: { params: AnswerParams, body: jsonBody(AnswerBodySchema) },
    responses: {
      200: json(z.object({ questionKey: z.string(), answer: Answer, savedAt: z.string() })),
      ...errorResponses(400, 401, 404, 409, 410),
    },
  }),
  submit: createRoute({
    method: 'post',
    path: '/attempts/{id}/submit',
    tags: ['assessments'],
    summary: 'Submit and score the attempt; submitting again returns the same result',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Result), ...errorResponses(401, 404) },
  }),
  getResult: createRoute({
    method: 'get',
    path: '/results/{id}',
    tags: ['assessments'],
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Result), ...errorResponses(401, 404) },
  }),
  myResults: createRoute({
    method: 'get',
    path: '/me/results',
    tags: ['assessments'],
    summary: 'Your results and your children’s, newest first (childId: one child’s)',
    middleware: [authenticate()] as const,
    request: { query: PageQuery.extend({ childId: text().max(64).optional() }) },
    responses: { 200: json(pageOf(Result)), ...errorResponses(400, 401, 404) },
  }),
};

export const assessmentsRoutes = createRouter()
  .openapi(r.listPublished, async (c) => c.json(await listPublishedTests(ctxOf(c), c.req.valid('query')), 200, PUBLIC_LIST_HEADERS))
  .openapi(r.teacherTests, async (c) =>
    c.json(await listTeacherTests(ctxOf(c), c.var.actor, c.req.valid('query')), 200, { 'Cache-Control': 'private, no-store' }),
  )
  .openapi(r.createTest, async (c) => c.json(await createTest(ctxOf(c), c.var.actor, c.req.valid('json')), 201))
  .openapi(r.getTest, async (c) => c.json(await getTest(ctxOf(c), c.get('actor') as Actor | undefined, c.req.valid('param').id), 200))
  .openapi(r.updateTest, async (c) => c.json(await updateTest(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(r.publishTest, async (c) => {
    const ctx = ctxOf(c);
    const test = await publishTest(ctx, c.var.actor, c.req.valid('param').id);
    // The tests pages rendered at the edge list it now (workers/site/lists.ts).
    ctx.defer(ctx.services.edge.purge(TESTS_PAGE_PATHS));
    return c.json(test, 200);
  })
  .openapi(r.stats, async (c) => c.json(await getTestStats(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.startAttempt, async (c) => {
    const body = c.req.valid('json') as { childId?: string | null } | undefined;
    const { attempt, created } = await startAttempt(ctxOf(c), c.var.actor, c.req.valid('param').id, { childId: body?.childId });
    return created ? c.json(attempt, 201) : c.json(attempt, 200);
  })
  .openapi(r.getAttempt, async (c) => c.json(await getAttempt(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.answer, async (c) => {
    const { id, questionKey } = c.req.valid('param');
    return c.json(await saveAnswer(ctxOf(c), c.var.actor, id, questionKey, c.req.valid('json')), 200);
  })
  .openapi(r.submit, async (c) => c.json(await submitAttempt(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.getResult, async (c) => c.json(await getResult(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.myResults, async (c) => c.json(await listMyResults(ctxOf(c), c.var.actor, c.req.valid('query')), 200));
