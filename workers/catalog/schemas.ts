import { z } from '@hono/zod-openapi';

/**
 * The catalog's answers, written once: the routes document them (OpenAPI), the domain returns
 * their inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const Lang = z.enum(['ru', 'kk', 'en']);
export const Level = z.enum(['beginner', 'intermediate', 'advanced']);
/** A text per language as stored (authors' views); readers get one resolved string instead. */
export const LocalizedTexts = z.object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() });
const Price = z.object({ amount: z.number(), currency: z.string() });
const Rating = z.object({ average: z.number(), count: z.number() });

export const CourseCardSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    titleLang: Lang.openapi({ description: 'Language the title was shown in (a fallback when it differs from the asked one)' }),
    description: z.string(),
    language: Lang,
    level: Level,
    tags: z.array(z.string()),
    price: Price.nullable(),
    rating: Rating,
    enrollmentCount: z.number(),
    teacher: z.object({ id: z.string(), name: z.string() }),
    category: z.object({ id: z.string(), slug: z.string(), title: z.string() }).nullable(),
    featured: z.boolean(),
    coverUrl: z.string().nullable(),
    publishedAt: z.string().nullable(),
  })
  .openapi('CourseCard');

const HitCommon = {
  highlight: z.string().openapi({ description: 'The title, HTML-escaped, with the matched words wrapped in <mark>' }),
  score: z.number().openapi({ description: 'Text rank: how well the hit matched' }),
};
export const CourseHitSchema = CourseCardSchema.extend({ kind: z.literal('course'), ...HitCommon }).openapi('CourseHit');
export const TestHitSchema = z
  .object({
    kind: z.literal('test'),
    id: z.string(),
    testKind: z.enum(['quiz', 'assessment']),
    courseId: z.string().nullable(),
    title: z.string(),
    titleLang: Lang,
    description: z.string().nullable(),
    questionCount: z.number(),
    timeLimitSec: z.number().nullable(),
    attemptCount: z.number().openapi({ description: "Submitted attempts: the test's popularity" }),
    publishedAt: z.string(),
    ...HitCommon,
  })
  .openapi('TestHit');
export const SearchHitSchema = z.discriminatedUnion('kind', [CourseHitSchema, TestHitSchema]).openapi('SearchHit');
export const SearchPageSchema = z
  .object({
    items: z.array(SearchHitSchema),
    nextCursor: z.string().nullable(),
    total: z
      .object({ count: z.number().int(), capped: z.boolean().describe('True when more than `count` match (counting stops at 200)') })
      .nullable()
      .describe('Matches of the query, exact up to 200; null on pages after the first'),
  })
  .openapi('SearchPage');
export const SuggestionsSchema = z
  .object({
    items: z.array(
      z.object({ kind: z.enum(['course', 'test']), id: z.string(), title: z.string(), titleLang: Lang, highlight: z.string() }),
    ),
  })
  .openapi('Suggestions');

export const CurriculumModuleSchema = z.object({
  id: z.string(),
  title: z.string(),
  position: z.number(),
  lessons: z.array(z.object({ id: z.string(), title: z.string(), preview: z.boolean(), durationMin: z.number(), position: z.number() })),
});

export const CourseDetailSchema = CourseCardSchema.extend({
  outcomes: z.array(z.string()).openapi({ description: '"What you will learn", in the asked language; empty when not given' }),
  modules: z.array(CurriculumModuleSchema),
  lessonCount: z.number(),
}).openapi('CourseDetail');

export const LessonViewSchema = z
  .object({
    id: z.string(),
    courseId: z.string(),
    moduleId: z.string(),
    title: z.string(),
    titleLang: Lang,
    html: z.string(),
    videoEmbedUrl: z.string().nullable(),
    preview: z.boolean(),
    durationMin: z.number(),
    position: z.number(),
    body: LocalizedTexts.optional().openapi({ description: "Author's view only: the Markdown per language" }),
    titles: LocalizedTexts.optional().openapi({ description: "Author's view only: every title" }),
    videoUrl: z.string().nullable().optional().openapi({ description: "Author's view only: the link as typed" }),
  })
  .openapi('Lesson');

export const AuthoredCourseSchema = z
  .object({
    id: z.string(),
    title: LocalizedTexts,
    description: LocalizedTexts,
    outcomes: z.array(LocalizedTexts).openapi({ description: '"What you will learn": one text per point, per language' }),
    language: Lang,
    level: Level,
    tags: z.array(z.string()),
    categoryId: z.string().nullable(),
    price: Price.nullable(),
    coverUrl: z.string().nullable(),
    published: z.boolean(),
    publishedAt: z.string().nullable(),
    featured: z.boolean(),
    rating: Rating,
    enrollmentCount: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AuthoredCourse');

export const AuthoredCourseDetailSchema = AuthoredCourseSchema.extend({
  modules: z.array(
    z.object({
      id: z.string(),
      title: LocalizedTexts,
      position: z.number(),
      lessons: z.array(
        z.object({ id: z.string(), title: LocalizedTexts, preview: z.boolean(), position: z.number(), durationMin: z.number() }),
      ),
    }),
  ),
}).openapi('AuthoredCourseDetail');

export const AuthoredModuleSchema = z
  .object({ id: z.string(), courseId: z.string(), title: LocalizedTexts, position: z.number() })
  .openapi('AuthoredModule');

export const AuthoredLessonSchema = z
  .object({
    id: z.string(),
    moduleId: z.string(),
    courseId: z.string(),
    title: LocalizedTexts,
    body: LocalizedTexts,
    bodyHtml: LocalizedTexts,
    videoUrl: z.string().nullable(),
    preview: z.boolean(),
    durationMin: z.number(),
    position: z.number(),
  })
  .openapi('AuthoredLesson');

export type CourseCard = z.infer<typeof CourseCardSchema>;
export type CurriculumModule = z.infer<typeof CurriculumModuleSchema>;
export type CourseDetail = z.infer<typeof CourseDetailSchema>;
export type LessonView = z.infer<typeof LessonViewSchema>;
export type AuthoredCourse = z.infer<typeof AuthoredCourseSchema>;
export type AuthoredCourseDetail = z.infer<typeof AuthoredCourseDetailSchema>;
export type AuthoredModule = z.infer<typeof AuthoredModuleSchema>;
export type AuthoredLesson = z.infer<typeof AuthoredLessonSchema>;
