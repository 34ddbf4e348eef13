import { z } from '@hono/zod-openapi';
import { CourseCardSchema } from '../catalog/schemas.ts';

/**
 * The learning API's answers, written once: the routes document them, the domain returns their
 * inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const EnrollmentSchema = z
  .object({ courseId: z.string(), status: z.enum(['active', 'completed']), enrolledAt: z.string(), completedAt: z.string().nullable() })
  .openapi('Enrollment');
export const ProgressSchema = z
  .object({
    completed: z.number(),
    total: z.number(),
    percent: z.number().openapi({ description: 'Whole percent, rounded down: 100 only when every current lesson is done' }),
  })
  .openapi('Progress');
export const NextLessonSchema = z
  .object({ id: z.string(), title: z.string() })
  .nullable()
  .openapi({ description: 'Where to resume: the first incomplete lesson in curriculum order; null when all are done' });
export const CourseProgressSchema = EnrollmentSchema.extend({
  progress: ProgressSchema,
  nextLesson: NextLessonSchema,
  completedLessonIds: z.array(z.string()).openapi({ description: 'Completed lessons of the course, in curriculum order' }),
}).openapi('CourseProgress');
export const CompletionSchema = CourseProgressSchema.extend({
  lessonId: z.string(),
  courseCompleted: z.boolean().openapi({ description: 'This call completed the course (true exactly once per enrollment)' }),
}).openapi('LessonCompletion');
export const LearningItemSchema = z
  .object({
    course: CourseCardSchema,
    available: z.boolean().openapi({ description: 'False when the teacher has unpublished the course since: its lessons are closed' }),
    status: z.enum(['active', 'completed']),
    enrolledAt: z.string(),
    completedAt: z.string().nullable(),
    progress: ProgressSchema,
    nextLesson: NextLessonSchema,
    lastActivityAt: z.string().nullable(),
  })
  .openapi('LearningItem');
export const FavoriteItemSchema = z.object({ course: CourseCardSchema, favoritedAt: z.string() }).openapi('FavoriteItem');
export const FavoriteSchema = z.object({ courseId: z.string(), favoritedAt: z.string() });
export const MyCourseSchema = z
  .object({
    courseId: z.string(),
    enrolled: z.boolean(),
    status: z.enum(['active', 'completed']).nullable(),
    enrolledAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    progress: ProgressSchema.nullable(),
    nextLesson: NextLessonSchema,
    completedLessonIds: z.array(z.string()),
    favorite: z.boolean(),
    review: z
      .object({
        id: z.string(),
        rating: z.number(),
        text: z.string(),
        hidden: z.boolean(),
        reply: z.string().nullable(),
        createdAt: z.string(),
        updatedAt: z.string(),
      })
      .nullable(),
    teacher: z.boolean().openapi({ description: 'The actor teaches this course (may reply to reviews, may not review it)' }),
  })
  .openapi('MyCourse');

export type EnrollmentView = z.infer<typeof EnrollmentSchema>;
export type ProgressView = z.infer<typeof ProgressSchema>;
export type NextLesson = NonNullable<z.infer<typeof NextLessonSchema>>;
export type CourseProgress = z.infer<typeof CourseProgressSchema>;
export type CompletionResult = z.infer<typeof CompletionSchema>;
export type LearningItem = z.infer<typeof LearningItemSchema>;
export type FavoriteItem = z.infer<typeof FavoriteItemSchema>;
export type MyCourseState = z.infer<typeof MyCourseSchema>;
