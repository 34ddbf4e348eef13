import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, Language, PageQuery, errorResponses, json, jsonBody, pageOf } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { text } from '../lib/text.ts';
import {
  REVIEW_TEXT_MAX,
  createReview,
  deleteReview,
  listReviews,
  listReviewsForModeration,
  replyToReview,
  setReviewHidden,
  updateReview,
} from './reviews.ts';
import {
  CourseRatingSchema as CourseRating,
  ModerationReviewSchema as ModerationReview,
  ModerationStatusSchema,
  OwnReviewSchema as OwnReview,
  ReviewChangedSchema,
  ReviewSchema as Review,
} from './schemas.ts';

const Rating = z.number({ message: 'Give 1 to 5 stars' }).int('Give 1 to 5 stars').min(1, 'Give 1 to 5 stars').max(5, 'Give 1 to 5 stars');
const Text = text({ multiline: true }).max(REVIEW_TEXT_MAX, `At most ${REVIEW_TEXT_MAX} characters`);
const ReviewInput = z.object({ rating: Rating, text: Text.optional() }).strict();
const ReviewPatch = z
  .object({ rating: Rating.optional(), text: Text.optional() })
  .strict()
  .refine((p) => p.rating !== undefined || p.text !== undefined, 'Change the rating, the text or both');
const ReplyInput = z.object({ text: Text.trim().min(1, 'Write a reply') }).strict();

const Changed = ReviewChangedSchema;
const ModerationQuery = PageQuery.extend({ status: ModerationStatusSchema.default('all'), lang: Language.default('ru') });

/**
 * Shared caches may keep the list briefly, but browsers revalidate every time: no
 * stale-while-revalidate here, or the author would not see their new review (or the
 * teacher's reply) on the next load. Our own cache (Redis, per course generation) absorbs the reads.
 */
const REVIEWS_CACHE = 'public, max-age=0, s-maxage=30';
const NO_STORE = { 'Cache-Control': 'private, no-store' };
const user = authenticate();
const admin = authenticate(['admin']);

const r = {
  list: createRoute({
    method: 'get',
    path: '/courses/{id}/reviews',
    tags: ['reviews'],
    summary: 'Visible reviews of a published course, newest first, with its rating',
    middleware: [rateLimit('catalog.read')] as const,
    request: { params: IdParam, query: PageQuery },
    responses: { 200: json(pageOf(Review).extend({ rating: CourseRating })), ...errorResponses(400, 404, 429) },
  }),
  create: createRoute({
    method: 'post',
    path: '/courses/{id}/reviews',
    tags: ['reviews'],
    summary: 'Review a course you are enrolled in: 1–5 stars and up to 2,000 characters, once',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(ReviewInput) },
    responses: { 201: json(Changed.required(), 'Created'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  update: createRoute({
    method: 'patch',
    path: '/reviews/{id}',
    tags: ['reviews'],
    summary: 'Edit your review',
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(ReviewPatch) },
    responses: { 200: json(Changed), ...errorResponses(400, 401, 404) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/reviews/{id}',
    tags: ['reviews'],
    summary: 'Delete your review',
    middleware: [user] as const,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
  }),
  reply: createRoute({
    method: 'post',
    path: '/reviews/{id}/reply',
    tags: ['reviews'],
    summary: "The course's teacher answers a review, once",
    middleware: [user] as const,
    request: { params: IdParam, body: jsonBody(ReplyInput) },
    responses: { 201: json(OwnReview, 'Replied'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  moderation: createRoute({
    method: 'get',
    path: '/admin/reviews',
    tags: ['admin'],
    summary: "Every course's reviews for moderation, newest first, hidden ones included unless filtered",
    middleware: [admin] as const,
    request: { query: ModerationQuery },
    responses: { 200: json(pageOf(ModerationReview)), ...errorResponses(400, 401, 403) },
  }),
  hide: createRoute({
    method: 'post',
    path: '/admin/reviews/{id}/hide',
    tags: ['admin'],
    summary: "Hide a review: out of the list and the course's rating (idempotent)",
    middleware: [admin] as const,
    request: { params: IdParam },
    responses: { 200: json(Changed.required()), ...errorResponses(401, 403, 404) },
  }),
  unhide: createRoute({
    method: 'post',
    path: '/admin/reviews/{id}/unhide',
    tags: ['admin'],
    summary: 'Show a hidden review again (idempotent)',
    middleware: [admin] as const,
    request: { params: IdParam },
    responses: { 200: json(Changed.required()), ...errorResponses(401, 403, 404) },
  }),
};

export const reviewsRoutes = createRouter()
  .openapi(r.list, async (c) =>
    c.json(await listReviews(ctxOf(c), c.req.valid('param').id, c.req.valid('query')), 200, { 'Cache-Control': REVIEWS_CACHE }),
  )
  .openapi(r.create, async (c) => c.json(await createReview(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(r.update, async (c) => c.json(await updateReview(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(r.remove, async (c) => {
    await deleteReview(ctxOf(c), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(r.reply, async (c) => c.json(await replyToReview(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').text), 201))
  .openapi(r.moderation, async (c) => c.json(await listReviewsForModeration(ctxOf(c), c.var.actor, c.req.valid('query')), 200, NO_STORE))
  .openapi(r.hide, async (c) => c.json(await setReviewHidden(ctxOf(c), c.var.actor, c.req.valid('param').id, true), 200))
  .openapi(r.unhide, async (c) => c.json(await setReviewHidden(ctxOf(c), c.var.actor, c.req.valid('param').id, false), 200));
