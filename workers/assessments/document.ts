import { z } from 'zod';
import type { Answer, Question, TestDocument } from '../../db/schema/index.ts';
import { text } from '../lib/text.ts';
import type { TakerQuestion } from './schemas.ts';

export type { TakerQuestion };

/**
 * The test document of SPEC "Test documents", validated thoroughly: every problem is reported
 * with the path of the field (`questions.2.options.1.key`), so an author can fix an import.
 */

export const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const Key = z.string().regex(KEY, 'Use 1–64 letters, digits, "_" or "-"');

export const LIMITS = {
  questions: 300,
  options: 30,
  scales: 50,
  bands: 20,
  text: 5000,
  answerText: 5000,
  likertRange: 100,
  score: 1000,
} as const;

const LocalizedText = z
  .strictObject({
    ru: text({ multiline: true }).trim().max(LIMITS.text).optional(),
    kk: text({ multiline: true }).trim().max(LIMITS.text).optional(),
    en: text({ multiline: true }).trim().max(LIMITS.text).optional(),
  })
  .refine((t) => Boolean(t.ru || t.kk || t.en), 'Give the text in at least one of ru, kk, en');

const Int = (label: string) =>
  z
    .number({ message: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(-LIMITS.score)
    .max(LIMITS.score);

const Band = z.strictObject({ min: Int('min'), max: Int('max'), label: LocalizedText, text: LocalizedText });

const Scale = z.strictObject({
  key: Key,
  title: LocalizedText,
  bands: z.array(Band).min(1, 'A scale needs at least one band').max(LIMITS.bands),
});

const ScaleRef = z.strictObject({ scale: Key, reverse: z.boolean().default(false) });

const Option = z.strictObject({
  key: Key,
  text: LocalizedText,
  scores: z.record(Key, Int('A score')).optional(),
  correct: z.boolean().optional(),
});

const QuestionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    key: Key,
    type: z.literal('likert'),
    text: LocalizedText,
    min: Int('min'),
    max: Int('max'),
    scores: z.array(ScaleRef).max(LIMITS.scales).optional(),
    labels: z
      .array(LocalizedText)
      .max(LIMITS.likertRange + 1)
      .optional(),
  }),
  z.strictObject({
    key: Key,
    type: z.enum(['single', 'multiple']),
    text: LocalizedText,
    options: z.array(Option).min(2, 'A choice question needs at least two options').max(LIMITS.options),
  }),
  z.strictObject({
    key: Key,
    type: z.literal('text'),
    text: LocalizedText,
    maxLength: z.number().int().min(1).max(LIMITS.answerText).optional(),
  }),
]);

/** Fields a GET adds to the document; accepted and ignored on write, so an export re-imports. */
const EXPORT_FIELDS = [
  'id',
  'version',
  'status',
  'publishedVersion',
  'authorId',
  'createdAt',
  'updatedAt',
  'publishedAt',
  'hasDraft',
] as const;

const DocumentBase = z.strictObject({
  kind: z.enum(['quiz', 'assessment'], { message: 'kind must be "quiz" or "assessment"' }),
  courseId: z.string().uuid('courseId must be a course id').nullable().default(null),
  title: LocalizedText,
  description: LocalizedText.optional(),
  timeLimitSec: z.number().int().min(30, 'At least 30 seconds').max(86_400, 'At most a day').nullable().default(null),
  passMark: z.number().min(0).max(1).optional(),
  scales: z.array(Scale).max(LIMITS.scales).default([]),
  questions: z.array(QuestionSchema).min(1, 'A test needs at least one question').max(LIMITS.questions),
});

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

function checkDocument(doc: z.infer<typeof DocumentBase>, ctx: Ctx) {
  const scaleKeys = new Set<string>();
  doc.scales.forEach((scale, i) => {
    if (scaleKeys.has(scale.key)) issue(ctx, ['scales', i, 'key'], `Duplicate scale key "${scale.key}"`);
    scaleKeys.add(scale.key);
    scale.bands.forEach((band, j) => {
      if (band.min > band.max) issue(ctx, ['scales', i, 'bands', j, 'max'], 'max must not be below min');
      const prev = scale.bands[j - 1];
      // Ordered by min and non-overlapping: a score falls in at most one band.
      if (prev && band.min <= prev.max)
        issue(ctx, ['scales', i, 'bands', j, 'min'], `Bands must be ordered and not overlap: min must be above ${prev.max}`);
    });
  });

  if (doc.kind === 'quiz') {
    if (doc.passMark === undefined) issue(ctx, ['passMark'], 'A quiz needs a passMark between 0 and 1');
    if (!doc.questions.some((q) => q.type === 'single' || q.type === 'multiple')) {
      issue(ctx, ['questions'], 'A quiz needs at least one single or multiple choice question');
    }
  } else {
    if (doc.passMark !== undefined) issue(ctx, ['passMark'], 'Only quizzes have a passMark');
    if (!doc.scales.length) issue(ctx, ['scales'], 'An assessment needs at least one scale');
  }

  const questionKeys = new Set<string>();
  doc.questions.forEach((q, i) => {
    if (questionKeys.has(q.key)) issue(ctx, ['questions', i, 'key'], `Duplicate question key "${q.key}"`);
    questionKeys.add(q.key);
    if (q.type === 'likert') {
      if (q.min >= q.max) issue(ctx, ['questions', i, 'max'], 'max must be greater than min');
      else if (q.max - q.min > LIMITS.likertRange)
        issue(ctx, ['questions', i, 'max'], `A Likert range spans at most ${LIMITS.likertRange}`);
      if (q.labels && q.labels.length !== q.max - q.min + 1)
        issue(ctx, ['questions', i, 'labels'], `Give one label per point: ${q.max - q.min + 1} for ${q.min}–${q.max}`);
      q.scores?.forEach((ref, j) => {
        if (!scaleKeys.has(ref.scale)) issue(ctx, ['questions', i, 'scores', j, 'scale'], `No scale "${ref.scale}" in scales`);
      });
    } else if (q.type === 'single' || q.type === 'multiple') {
      const optionKeys = new Set<string>();
      q.options.forEach((o, j) => {
        if (optionKeys.has(o.key)) issue(ctx, ['questions', i, 'options', j, 'key'], `Duplicate option key "${o.key}"`);
        optionKeys.add(o.key);
        for (const scale of Object.keys(o.scores ?? {})) {
          if (!scaleKeys.has(scale)) issue(ctx, ['questions', i, 'options', j, 'scores', scale], `No scale "${scale}" in scales`);
        }
        if (o.correct !== undefined && doc.kind !== 'quiz')
          issue(ctx, ['questions', i, 'options', j, 'correct'], 'Only quiz options are marked correct');
      });
      if (doc.kind === 'quiz') {
        const correct = q.options.filter((o) => o.correct).length;
        if (q.type === 'single' && correct !== 1)
          issue(ctx, ['questions', i, 'options'], 'A single choice question needs exactly one correct option');
        if (q.type === 'multiple' && correct < 1)
          issue(ctx, ['questions', i, 'options'], 'A multiple choice question needs at least one correct option');
      }
    }
  });
}

/** The document as POST /api/tests and PATCH take it (export-only fields stripped first). */
export const TestDocumentSchema = z.preprocess((input) => {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const f of EXPORT_FIELDS) delete copy[f];
    return copy;
  }
  return input;
}, DocumentBase.superRefine(checkDocument)) as unknown as z.ZodType<TestDocument, unknown>;

/** PATCH: any top-level fields; merged over the current document, then validated whole. */
export const TestPatchSchema = z.record(z.string(), z.unknown());

export function parseDocument(input: unknown): { ok: true; doc: TestDocument } | { ok: false; error: z.ZodError } {
  const r = TestDocumentSchema.safeParse(input);
  return r.success ? { ok: true, doc: r.data } : { ok: false, error: r.error };
}

// ---------------------------------------------------------------------------------------------
// What a taker sees: no correct answers, no scores, no scales.

export function takerQuestion(q: Question): TakerQuestion {
  switch (q.type) {
    case 'likert':
      return q.labels
        ? { key: q.key, type: q.type, text: q.text, min: q.min, max: q.max, labels: q.labels }
        : { key: q.key, type: q.type, text: q.text, min: q.min, max: q.max };
    case 'single':
    case 'multiple':
      return { key: q.key, type: q.type, text: q.text, options: q.options.map((o) => ({ key: o.key, text: o.text })) };
    case 'text':
      return q.maxLength === undefined
        ? { key: q.key, type: q.type, text: q.text }
        : { key: q.key, type: q.type, text: q.text, maxLength: q.maxLength };
  }
}

// ---------------------------------------------------------------------------------------------
// Answers: the body of PUT /api/attempts/:id/answers/:questionKey, checked against the question.

export const AnswerBodySchema = z
  .strictObject({
    value: z.number().optional(),
    option: text().max(64).optional(),
    options: z.array(text().max(64)).max(LIMITS.options).optional(),
    text: text({ multiline: true }).max(LIMITS.answerText).optional(),
  })
  .refine((b) => Object.values(b).filter((v) => v !== undefined).length === 1, 'Send exactly one of value, option, options or text');

export type AnswerBody = z.infer<typeof AnswerBodySchema>;

/** Checks an answer against its question; returns the normalized answer or field errors. */
export function checkAnswer(q: Question, body: AnswerBody): { ok: true; answer: Answer } | { ok: false; fields: Record<string, string> } {
  const wrongShape = (field: string, expected: string) => ({
    ok: false as const,
    fields: { [field]: `A ${q.type} question takes {"${expected}": …}` },
  });
  switch (q.type) {
    case 'likert': {
      if (body.value === undefined) return wrongShape(Object.keys(body)[0] ?? 'value', 'value');
      if (!Number.isInteger(body.value) || body.value < q.min || body.value > q.max) {
        return { ok: false, fields: { value: `Give a whole number from ${q.min} to ${q.max}` } };
      }
      return { ok: true, answer: { value: body.value } };
    }
    case 'single': {
      if (body.option === undefined) return wrongShape(Object.keys(body)[0] ?? 'option', 'option');
      if (!q.options.some((o) => o.key === body.option))
        return { ok: false, fields: { option: `No option "${body.option}" in this question` } };
      return { ok: true, answer: { option: body.option } };
    }
    case 'multiple': {
      if (body.options === undefined) return wrongShape(Object.keys(body)[0] ?? 'options', 'options');
      const known = new Set(q.options.map((o) => o.key));
      const bad = body.options.findIndex((k) => !known.has(k));
      if (bad >= 0) return { ok: false, fields: { [`options.${bad}`]: `No option "${body.options[bad]}" in this question` } };
      // Stored in the question's option order without repeats: the same choice is the same answer.
      const chosen = new Set(body.options);
      return { ok: true, answer: { options: q.options.map((o) => o.key).filter((k) => chosen.has(k)) } };
    }
    case 'text': {
      if (body.text === undefined) return wrongShape(Object.keys(body)[0] ?? 'text', 'text');
      const max = q.maxLength ?? LIMITS.answerText;
      if (body.text.length > max) return { ok: false, fields: { text: `At most ${max} characters` } };
      return { ok: true, answer: { text: body.text } };
    }
  }
}
