import { createRoute, z } from '@hono/zod-openapi';
import { etag } from 'hono/etag';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate, authenticateOptional } from '../identity/auth.ts';
import { edgeCache, PUBLIC_LIST_HEADERS } from '../lib/edge-cache.ts';
import { IdParam, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit, rateLimitOnCacheRead } from '../lib/ratelimit-middleware.ts';
import { text } from '../lib/text.ts';
import {
  addLesson,
  addModule,
  createCourse,
  deleteCourse,
  deleteLesson,
  deleteModule,
  getTeacherCourse,
  listTeacherCourses,
  reorderLessons,
  reorderModules,
  setPublished,
  updateCourse,
  updateLesson,
  updateModule,
} from './authoring.ts';
import { getCourse, getCurriculum, getLesson, LIST_SORTS, listCategories, listCourses } from './browse.ts';
import {
  AuthoredCourseDetailSchema,
  AuthoredCourseSchema,
  AuthoredLessonSchema,
  AuthoredModuleSchema,
  CourseCardSchema,
  CourseDetailSchema,
  CurriculumModuleSchema,
  Lang,
  LessonViewSchema,
  SearchPageSchema,
  SuggestionsSchema,
} from './schemas.ts';
import { QUERY_MAX, SEARCH_SORTS, searchCatalog } from './search.ts';
import { suggest } from './suggest.ts';

const localized = (max: number, label: string) =>
  z
    .object({ ru: text().trim().max(max).optional(), kk: text().trim().max(max).optional(), en: text().trim().max(max).optional() })
    .strict()
    .refine((t) => Boolean(t.ru || t.kk || t.en), `${label} needs at least one of ru, kk, en`);
const Title = localized(200, 'A title');
const multiline = (max: number) => text({ multiline: true }).max(max);
const Text = z.object({ ru: multiline(5000).optional(), kk: multiline(5000).optional(), en: multiline(5000).optional() }).strict();
const LessonBody = z
  .object({ ru: multiline(100_000).optional(), kk: multiline(100_000).optional(), en: multiline(100_000).optional() })
  .strict();

const Filters = {
  lang: Lang.default('ru'),
  category: text().max(64).optional(),
  tag: text().max(64).optional(),
  language: Lang.optional(),
  level: z.enum(['beginner', 'intermediate', 'advanced']).optional(),
  price: z.enum(['free', 'paid']).optional(),
  minRating: z.coerce.number().min(0).max(5).optional(),
  featured: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  cursor: text().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
};
// Unknown filters are an error, not silently ignored.
const ListQuery = z.object({ ...Filters, sort: z.enum(LIST_SORTS).optional() }).strict();
const SearchQuery = z
  .object({
    ...Filters,
    q: text().max(QUERY_MAX, `At most ${QUERY_MAX} characters`),
    sort: z
      .enum(SEARCH_SORTS)
      .optional()
      .describe(
        'Relevance when absent: title matches first, ranked among the first 1,001 matches of each kind, so its pages end there; the other orders page through every match',
      ),
    kind: z.enum(['course', 'test']).optional(),
  })
  .strict();
const SuggestQuery = z.object({ lang: Lang.default('ru'), q: text().max(QUERY_MAX, `At most ${QUERY_MAX} characters`) }).strict();
const LangQuery = z.object({ lang: Lang.default('ru') }).strict();

const CourseCard = CourseCardSchema;
const Curriculum = z.array(CurriculumModuleSchema);
const CourseDetail = CourseDetailSchema;
const SearchPage = SearchPageSchema;
const Suggestions = SuggestionsSchema;

const CourseInput = z
  .object({
    title: Title,
    description: Text.optional(),
    outcomes: z.array(localized(300, 'A learning outcome')).max(12, 'At most 12 learning outcomes').optional(),
    language: Lang,
    level: z.enum(['beginner', 'intermediate', 'advanced']).optional(),
    category: text().max(64).nullable().optional(),
    tags: z.array(text().trim().min(1).max(40)).max(20).optional(),
    price: z
      .object({ amount: z.number().int().min(0).max(100_000_000), currency: z.enum(['KZT', 'RUB', 'USD']) })
      .nullable()
      .optional(),
    coverUrl: text().url().startsWith('https://').max(500).nullable().optional(),
    featured: z.boolean().optional(),
    featuredRank: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
const LessonInput = z
  .object({
    title: Title,
    body: LessonBody.optional(),
    videoUrl: text().url().max(500).nullable().optional(),
    preview: z.boolean().optional(),
    durationMin: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
const Ids = z.object({ ids: z.array(text().max(64)).max(500) }).strict();

// Behind the edge cache: a hit costs no Redis round trip for its rate-limit decision.
const readLimit = rateLimit('catalog.read');
const writeLimit = rateLimit('authoring.write');
const teacherOrAdmin = authenticate(['teacher', 'admin']);

const r = {
  categories: createRoute({
    method: 'get',
    path: '/categories',
    tags: ['catalog'],
    summary: 'Course categories',
    middleware: [edgeCache({ sMaxAge: 3600, staleWhileRevalidate: 86400 }), readLimit, etag()] as const,
    request: { query: LangQuery },
    responses: {
      200: json(z.object({ items: z.array(z.object({ id: z.string(), slug: z.string(), title: z.string() })) })),
      ...errorResponses(400, 429),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/courses',
    tags: ['catalog'],
    summary: 'Published courses, newest first (or by rating, popularity), with filters and cursor pagination',
    middleware: [rateLimitOnCacheRead('catalog.read'), etag()] as const,
    request: { query: ListQuery },
    responses: { 200: json(pageOf(CourseCard)), ...errorResponses(400, 429) },
  }),
  search: createRoute({
    method: 'get',
    path: '/search',
    tags: ['catalog'],
    summary: 'Full-text and typo-tolerant search over published courses and tests, four orders, with the result count',
    middleware: [rateLimitOnCacheRead('search'), etag()] as const,
    request: { query: SearchQuery },
    responses: { 200: json(SearchPage), ...errorResponses(400, 429) },
  }),
  suggest: createRoute({
    method: 'get',
    path: '/search/suggest',
    tags: ['catalog'],
    summary: 'Titles of courses and tests matching what is being typed (prefix and typo-tolerant)',
    // Typing asks often and the same prefixes recur: the edge answers most of them, before the rate limit.
    middleware: [edgeCache({ sMaxAge: 60, staleWhileRevalidate: 300 }), readLimit, etag()] as const,
    request: { query: SuggestQuery },
    responses: { 200: json(Suggestions), ...errorResponses(400, 429) },
  }),
  detail: createRoute({
    method: 'get',
    path: '/courses/{id}',
    tags: ['catalog'],
    summary: 'A published course with its curriculum',
    middleware: [edgeCache({ sMaxAge: 300, staleWhileRevalidate: 3600 }), readLimit, etag()] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(CourseDetail), ...errorResponses(404, 429) },
  }),
  curriculum: createRoute({
    method: 'get',
    path: '/courses/{id}/curriculum',
    tags: ['catalog'],
    summary: 'Modules and lesson titles of a published course',
    middleware: [edgeCache({ sMaxAge: 300, staleWhileRevalidate: 3600 }), readLimit, etag()] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(z.object({ courseId: z.string(), modules: Curriculum })), ...errorResponses(404, 429) },
  }),
  lesson: createRoute({
    method: 'get',
    path: '/lessons/{id}',
    tags: ['catalog'],
    summary: "A lesson's content: free previews, enrolled learners, the course's teacher",
    middleware: [authenticateOptional(), readLimit] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(LessonViewSchema), ...errorResponses(401, 403, 404) },
  }),
  teacherCourses: createRoute({
    method: 'get',
    path: '/teacher/courses',
    tags: ['authoring'],
    summary: "The teacher's own courses, drafts included",
    middleware: [teacherOrAdmin] as const,
    responses: { 200: json(z.object({ items: z.array(AuthoredCourseSchema), nextCursor: z.null() })), ...errorResponses(401, 403) },
  }),
  teacherCourse: createRoute({
    method: 'get',
    path: '/teacher/courses/{id}',
    tags: ['authoring'],
    summary: 'A course as its author edits it',
    middleware: [teacherOrAdmin] as const,
    request: { params: IdParam },
    responses: { 200: json(AuthoredCourseDetailSchema), ...errorResponses(401, 403, 404) },
  }),
  create: createRoute({
    method: 'post',
    path: '/courses',
    tags: ['authoring'],
    summary: 'Create a draft course',
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { body: jsonBody(CourseInput) },
    responses: { 201: json(AuthoredCourseSchema), ...errorResponses(400, 401, 403) },
  }),
  update: createRoute({
    method: 'patch',
    path: '/courses/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(CourseInput.partial().strict()) },
    responses: { 200: json(AuthoredCourseSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/courses/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
  }),
  publish: createRoute({
    method: 'post',
    path: '/courses/{id}/publish',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam },
    responses: { 200: json(AuthoredCourseSchema), ...errorResponses(401, 403, 404, 409) },
  }),
  unpublish: createRoute({
    method: 'post',
    path: '/courses/{id}/unpublish',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam },
    responses: { 200: json(AuthoredCourseSchema), ...errorResponses(401, 403, 404) },
  }),
  addModule: createRoute({
    method: 'post',
    path: '/courses/{id}/modules',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(z.object({ title: Title }).strict()) },
    responses: { 201: json(AuthoredModuleSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  orderModules: createRoute({
    method: 'put',
    path: '/courses/{id}/modules/order',
    tags: ['authoring'],
    summary: 'Reorder all modules of a course in one request',
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(Ids) },
    responses: { 200: json(Ids), ...errorResponses(400, 401, 403, 404) },
  }),
  updateModule: createRoute({
    method: 'patch',
    path: '/modules/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(z.object({ title: Title.optional() }).strict()) },
    responses: { 200: json(AuthoredModuleSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  deleteModule: createRoute({
    method: 'delete',
    path: '/modules/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted with its lessons' }, ...errorResponses(401, 403, 404) },
  }),
  addLesson: createRoute({
    method: 'post',
    path: '/modules/{id}/lessons',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(LessonInput) },
    responses: { 201: json(AuthoredLessonSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  orderLessons: createRoute({
    method: 'put',
    path: '/modules/{id}/lessons/order',
    tags: ['authoring'],
    summary: 'Reorder all lessons of a module in one request',
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(Ids) },
    responses: { 200: json(Ids), ...errorResponses(400, 401, 403, 404) },
  }),
  updateLesson: createRoute({
    method: 'patch',
    path: '/lessons/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam, body: jsonBody(LessonInput.partial().strict()) },
    responses: { 200: json(AuthoredLessonSchema), ...errorResponses(400, 401, 403, 404) },
  }),
  deleteLesson: createRoute({
    method: 'delete',
    path: '/lessons/{id}',
    tags: ['authoring'],
    middleware: [teacherOrAdmin, writeLimit] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
  }),
};

export const catalogRoutes = createRouter()
  .openapi(r.categories, async (c) => c.json(await listCategories(ctxOf(c), c.req.valid('query').lang), 200))
  .openapi(r.list, async (c) => c.json(await listCourses(ctxOf(c), c.req.valid('query')), 200, PUBLIC_LIST_HEADERS))
  .openapi(r.search, async (c) => c.json(await searchCatalog(ctxOf(c), c.req.valid('query')), 200, PUBLIC_LIST_HEADERS))
  .openapi(r.suggest, async (c) => c.json(await suggest(ctxOf(c), c.req.valid('query')), 200))
  .openapi(r.detail, async (c) => c.json(await getCourse(ctxOf(c), c.req.valid('param').id, c.req.valid('query').lang), 200))
  .openapi(r.curriculum, async (c) => c.json(await getCurriculum(ctxOf(c), c.req.valid('param').id, c.req.valid('query').lang), 200))
  .openapi(r.lesson, async (c) =>
    c.json({ ...(await getLesson(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('query').lang)) }, 200, {
      'Cache-Control': 'private, no-store',
    }),
  )
  .openapi(r.teacherCourses, async (c) => c.json(await listTeacherCourses(ctxOf(c), c.var.actor), 200))
  .openapi(r.teacherCourse, async (c) => c.json(await getTeacherCourse(ctxOf(c), c.var.actor, c.req.valid('param').id), 200))
  .openapi(r.create, async (c) => c.json(await createCourse(ctxOf(c), c.var.actor, c.req.valid('json')), 201))
  .openapi(r.update, async (c) => c.json(await updateCourse(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(r.remove, async (c) => {
    await deleteCourse(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(r.publish, async (c) => c.json(await setPublished(ctxOf(c), c.var.actor, c.req.valid('param').id, true), 200))
  .openapi(r.unpublish, async (c) => c.json(await setPublished(ctxOf(c), c.var.actor, c.req.valid('param').id, false), 200))
  .openapi(r.addModule, async (c) => c.json(await addModule(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(r.orderModules, async (c) =>
    c.json(await reorderModules(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').ids), 200),
  )
  .openapi(r.updateModule, async (c) =>
    c.json(await updateModule(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(r.deleteModule, async (c) => {
    await deleteModule(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(r.addLesson, async (c) => c.json(await addLesson(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(r.orderLessons, async (c) =>
    c.json(await reorderLessons(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').ids), 200),
  )
  .openapi(r.updateLesson, async (c) =>
    c.json(await updateLesson(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(r.deleteLesson, async (c) => {
    await deleteLesson(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
