import { z } from '@hono/zod-openapi';

/**
 * The assessments API's answers, written once: the routes document them, the domain's view types
 * are inferred from them (so a stored-document change that breaks the contract fails the type
 * check), and the site's types are generated from the document (`npm run gen:api`).
 * Input is validated by `document.ts`, which names every faulty field.
 */
export const LocalizedTextSchema = z
  .object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() })
  .openapi('LocalizedText');
const Kind = z.enum(['quiz', 'assessment']);
const Lang = z.enum(['ru', 'kk', 'en']);

const Band = z.object({ min: z.number(), max: z.number(), label: LocalizedTextSchema, text: LocalizedTextSchema });
const Scale = z.object({ key: z.string(), title: LocalizedTextSchema, bands: z.array(Band) }).openapi('Scale');
const Option = z.object({
  key: z.string(),
  text: LocalizedTextSchema,
  scores: z.record(z.string(), z.number()).optional().openapi({ description: 'Points the option adds to each named scale' }),
  correct: z.boolean().optional().openapi({ description: 'Quizzes only' }),
});
const Question = z
  .discriminatedUnion('type', [
    z.object({
      key: z.string(),
      type: z.literal('likert'),
      text: LocalizedTextSchema,
      min: z.number(),
      max: z.number(),
      labels: z.array(LocalizedTextSchema).optional().openapi({ description: 'Words for each point from min to max' }),
      scores: z.array(z.object({ scale: z.string(), reverse: z.boolean() })).optional(),
    }),
    z.object({ key: z.string(), type: z.enum(['single', 'multiple']), text: LocalizedTextSchema, options: z.array(Option) }),
    z.object({ key: z.string(), type: z.literal('text'), text: LocalizedTextSchema, maxLength: z.number().optional() }),
  ])
  .openapi('Question');

export const AuthorTestSchema = z
  .object({
    kind: Kind,
    courseId: z.string().nullable(),
    title: LocalizedTextSchema,
    description: LocalizedTextSchema.optional(),
    timeLimitSec: z.number().nullable(),
    passMark: z.number().optional(),
    scales: z.array(Scale),
    questions: z.array(Question),
    id: z.string(),
    authorId: z.string(),
    version: z.number(),
    status: z.enum(['draft', 'published']),
    publishedVersion: z.number().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AuthorTest');

/** What a taker sees: no correct answers, no scores, no scales. */
export const TakerQuestionSchema = z
  .discriminatedUnion('type', [
    z.object({
      key: z.string(),
      type: z.literal('likert'),
      text: LocalizedTextSchema,
      min: z.number(),
      max: z.number(),
      labels: z.array(LocalizedTextSchema).optional().openapi({ description: 'Words for each point from min to max' }),
    }),
    z.object({
      key: z.string(),
      type: z.enum(['single', 'multiple']),
      text: LocalizedTextSchema,
      options: z.array(z.object({ key: z.string(), text: LocalizedTextSchema })),
    }),
    z.object({ key: z.string(), type: z.literal('text'), text: LocalizedTextSchema, maxLength: z.number().optional() }),
  ])
  .openapi('TakerQuestion');

export const TakerTestSchema = z
  .object({
    id: z.string(),
    kind: Kind,
    courseId: z.string().nullable(),
    title: LocalizedTextSchema,
    description: LocalizedTextSchema.optional(),
    timeLimitSec: z.number().nullable(),
    version: z.number(),
    questions: z.array(TakerQuestionSchema),
  })
  .openapi('TakerTest');

export const AnswerSchema = z
  .union([
    z.object({ value: z.number() }),
    z.object({ option: z.string() }),
    z.object({ options: z.array(z.string()) }),
    z.object({ text: z.string() }),
  ])
  .openapi('Answer');

export const ScaleResultSchema = z
  .object({
    key: z.string(),
    title: LocalizedTextSchema,
    score: z.number(),
    min: z.number().openapi({ description: 'The lowest score the scale can reach in this version' }),
    max: z.number().openapi({ description: 'The highest score the scale can reach in this version' }),
    bandIndex: z.number().nullable(),
    band: z.object({ label: LocalizedTextSchema, text: LocalizedTextSchema }).nullable(),
  })
  .openapi('ScaleResult');

export const AttemptSchema = z
  .object({
    id: z.string(),
    testId: z.string(),
    version: z.number(),
    kind: z.enum(['quiz', 'assessment']),
    title: LocalizedTextSchema,
    childId: z.string().nullable(),
    status: z.enum(['open', 'submitted']),
    startedAt: z.string(),
    deadlineAt: z.string().nullable(),
    submittedAt: z.string().nullable(),
    autoSubmitted: z.boolean(),
    serverTime: z.string(),
    timeLimitSec: z.number().nullable(),
    questions: z.array(TakerQuestionSchema),
    answers: z.record(z.string(), AnswerSchema),
    resultId: z.string().nullable(),
  })
  .openapi('Attempt');

export const ResultSchema = z
  .object({
    id: z.string(),
    attemptId: z.string(),
    testId: z.string(),
    version: z.number(),
    kind: z.enum(['quiz', 'assessment']),
    title: LocalizedTextSchema,
    childId: z.string().nullable(),
    scales: z.array(
      z.object({
        key: z.string(),
        title: LocalizedTextSchema,
        score: z.number(),
        min: z.number(),
        max: z.number(),
        bandIndex: z.number().nullable(),
        band: z.object({ label: LocalizedTextSchema, text: LocalizedTextSchema }).nullable(),
      }),
    ),
    score: z.number().optional(),
    correct: z.number().optional(),
    total: z.number().optional(),
    passed: z.boolean().optional(),
    submittedAt: z.string(),
    autoSubmitted: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Result');

export const TeacherTestItemSchema = z
  .object({
    id: z.string(),
    kind: Kind,
    courseId: z.string().nullable(),
    title: LocalizedTextSchema,
    status: z
      .enum(['draft', 'published'])
      .openapi({ description: 'Status of the latest version: a published test with unpublished edits is "draft"' }),
    version: z.number().openapi({ description: 'The latest version (the draft, if there is one)' }),
    publishedVersion: z.number().nullable(),
    questionCount: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
    publishedAt: z.string().nullable(),
  })
  .openapi('TeacherTestItem');

export const PublishedTestItemSchema = z
  .object({
    id: z.string(),
    kind: Kind,
    courseId: z.string().nullable(),
    title: z.string().openapi({ description: 'In `lang`, else the first language the test has' }),
    titleLang: Lang,
    description: z.string().nullable(),
    descriptionLang: Lang.nullable(),
    version: z.number(),
    questionCount: z.number(),
    timeLimitSec: z.number().nullable(),
    publishedAt: z.string(),
  })
  .openapi('PublishedTestItem');

export type AuthorTestView = z.infer<typeof AuthorTestSchema>;
export type TakerQuestion = z.infer<typeof TakerQuestionSchema>;
export type TakerTestView = z.infer<typeof TakerTestSchema>;
export type AttemptView = z.infer<typeof AttemptSchema>;
export type ResultView = z.infer<typeof ResultSchema>;
export type TeacherTestItem = z.infer<typeof TeacherTestItemSchema>;
export type PublishedTestItem = z.infer<typeof PublishedTestItemSchema>;
