import { z } from '@hono/zod-openapi';

/**
 * The reviews API's answers, written once: the routes document them, the domain returns their
 * inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const ReviewSchema = z
  .object({
    id: z.string(),
    courseId: z.string(),
    rating: z.number(),
    text: z.string(),
    author: z.object({ name: z.string() }),
    reply: z.object({ text: z.string(), createdAt: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Review');
/** The author's and admins' view adds moderation state. */
export const OwnReviewSchema = ReviewSchema.extend({ hidden: z.boolean() }).openapi('OwnReview');
export const CourseRatingSchema = z.object({ average: z.number(), count: z.number() });
export const ReviewChangedSchema = z.object({ review: OwnReviewSchema, courseRating: CourseRatingSchema.optional() });
/** An admin's row: the review with who wrote it and on which course. */
export const ModerationReviewSchema = OwnReviewSchema.extend({
  courseTitle: z.string(),
  author: z.object({ id: z.string(), name: z.string() }),
}).openapi('ModerationReview');

/** Which reviews a moderator lists. */
export const ModerationStatusSchema = z.enum(['visible', 'hidden', 'all']);

export type ReviewView = z.infer<typeof ReviewSchema>;
export type OwnReviewView = z.infer<typeof OwnReviewSchema>;
export type CourseRating = z.infer<typeof CourseRatingSchema>;
export type ModerationReviewView = z.infer<typeof ModerationReviewSchema>;
export type ModerationStatus = z.infer<typeof ModerationStatusSchema>;
