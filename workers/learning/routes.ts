import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, Language, PageQuery, errorResponses, json, pageOf } from '../lib/openapi.ts';
import { enroll, unenroll } from './enrollment.ts';
import { addFavorite, listFavorites, removeFavorite } from './favorites.ts';
import { getMyCourse, listMyLearning } from './my-learning.ts';
import { completeLesson, getCourseProgress, uncompleteLesson } from './progress.ts';
import {
  CompletionSchema,
  CourseProgressSchema,
  EnrollmentSchema,
  FavoriteItemSchema,
  FavoriteSchema,
  LearningItemSchema,
  MyCourseSchema,
} from './schemas.ts';

const LangQuery = z.object({ lang: Language.default('ru') });
const ListQuery = PageQuery.extend({ lang: Language.default('ru') });
const CourseIdParam = z.object({ courseId: z.string().max(64) });

const Enrollment = EnrollmentSchema;
const CourseProgress = CourseProgressSchema;
const Completion = CompletionSchema;
const LearningItem = LearningItemSchema;
const FavoriteItem = FavoriteItemSchema;
const Favorite = FavoriteSchema;
const MyCourse = MyCourseSchema;

const learner = authenticate();
const NO_STORE = { 'Cache-Control': 'private, no-store' };

const r = {
  enroll: createRoute({
    method: 'post',
    path: '/courses/{id}/enrollment',
    tags: ['learning'],
    summary: 'Enroll in a published free course (idempotent: 201 the first time, 200 after); paid courses answer 402',
    middleware: [learner] as const,
    request: { params: IdParam },
    responses: { 201: json(Enrollment, 'Enrolled'), 200: json(Enrollment, 'Already enrolled'), ...errorResponses(401, 402, 404) },
  }),
  unenroll: createRoute({
    method: 'delete',
    path: '/courses/{id}/enrollment',
    tags: ['learning'],
    summary: 'Leave a course (idempotent); progress in it is removed',
    middleware: [learner] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Not enrolled any more' }, ...errorResponses(401, 404) },
  }),
  complete: createRoute({
    method: 'post',
    path: '/lessons/{id}/completion',
    tags: ['learning'],
    summary: 'Mark a lesson complete (idempotent); the course completes automatically at 100 %',
    middleware: [learner] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(Completion), ...errorResponses(401, 403, 404) },
  }),
  uncomplete: createRoute({
    method: 'delete',
    path: '/lessons/{id}/completion',
    tags: ['learning'],
    summary: 'Mark a lesson not complete (idempotent); a completed course stays completed',
    middleware: [learner] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(CourseProgress.extend({ lessonId: z.string() })), ...errorResponses(401, 403, 404) },
  }),
  progress: createRoute({
    method: 'get',
    path: '/courses/{id}/progress',
    tags: ['learning'],
    summary: "The learner's progress in a course, from its current lessons, and the lesson to resume at",
    middleware: [learner] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(CourseProgress), ...errorResponses(401, 403, 404) },
  }),
  learning: createRoute({
    method: 'get',
    path: '/me/learning',
    tags: ['learning'],
    summary: 'My enrolled courses with progress, next lesson and completion (newest enrollment first)',
    middleware: [learner] as const,
    request: { query: ListQuery },
    responses: { 200: json(pageOf(LearningItem)), ...errorResponses(400, 401) },
  }),
  myCourse: createRoute({
    method: 'get',
    path: '/me/courses/{id}',
    tags: ['learning'],
    summary: 'What the course page shows about me: enrollment, progress, favorite, my review',
    middleware: [learner] as const,
    request: { params: IdParam, query: LangQuery },
    responses: { 200: json(MyCourse), ...errorResponses(401, 404) },
  }),
  favorites: createRoute({
    method: 'get',
    path: '/me/favorites',
    tags: ['learning'],
    summary: 'My favorite courses, newest first',
    middleware: [learner] as const,
    request: { query: ListQuery },
    responses: { 200: json(pageOf(FavoriteItem)), ...errorResponses(400, 401) },
  }),
  addFavorite: createRoute({
    method: 'put',
    path: '/me/favorites/{courseId}',
    tags: ['learning'],
    summary: 'Add a published course to my favorites (idempotent: 201 the first time, 200 after)',
    middleware: [learner] as const,
    request: { params: CourseIdParam },
    responses: { 201: json(Favorite, 'Added'), 200: json(Favorite, 'Already a favorite'), ...errorResponses(401, 404) },
  }),
  removeFavorite: createRoute({
    method: 'delete',
    path: '/me/favorites/{courseId}',
    tags: ['learning'],
    summary: 'Remove a course from my favorites (idempotent)',
    middleware: [learner] as const,
    request: { params: CourseIdParam },
    responses: { 204: { description: 'Not a favorite any more' }, ...errorResponses(401, 404) },
  }),
};

export const learningRoutes = createRouter()
  .openapi(r.enroll, async (c) => {
    const { created, enrollment } = await enroll(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.json(enrollment, created ? 201 : 200);
  })
  .openapi(r.unenroll, async (c) => {
    await unenroll(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(r.complete, async (c) =>
    c.json(
      await completeLesson(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('query').lang, {
        origin: new URL(c.req.url).origin,
      }),
      200,
      NO_STORE,
    ),
  )
  .openapi(r.uncomplete, async (c) =>
    c.json(await uncompleteLesson(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('query').lang), 200, NO_STORE),
  )
  .openapi(r.progress, async (c) =>
    c.json(await getCourseProgress(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('query').lang), 200, NO_STORE),
  )
  .openapi(r.learning, async (c) => c.json(await listMyLearning(ctxOf(c), c.var.actor, c.req.valid('query')), 200, NO_STORE))
  .openapi(r.myCourse, async (c) =>
    c.json(await getMyCourse(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('query').lang), 200, NO_STORE),
  )
  .openapi(r.favorites, async (c) => c.json(await listFavorites(ctxOf(c), c.var.actor, c.req.valid('query')), 200, NO_STORE))
  .openapi(r.addFavorite, async (c) => {
    const { created, ...fav } = await addFavorite(ctxOf(c), c.var.actor, c.req.valid('param').courseId);
    return c.json(fav, created ? 201 : 200);
  })
  .openapi(r.removeFavorite, async (c) => {
    await removeFavorite(ctxOf(c), c.var.actor, c.req.valid('param').courseId);
    return c.body(null, 204);
  });
