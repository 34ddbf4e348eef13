import { z } from '@hono/zod-openapi';
import { AnswerSchema, LocalizedTextSchema, ScaleResultSchema } from '../assessments/schemas.ts';

/** The rows of a child's data export (GET /api/me/children/:id/export), as Postgres builds them. */
export const ExportAttemptSchema = z.object({
  id: z.string(),
  testId: z.string(),
  testTitle: LocalizedTextSchema,
  version: z.number(),
  status: z.enum(['open', 'submitted']),
  startedAt: z.string(),
  deadlineAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  autoSubmitted: z.boolean(),
  answers: z.array(z.object({ questionKey: z.string(), answer: AnswerSchema, savedAt: z.string() })),
});

export const ExportResultSchema = z.object({
  id: z.string(),
  attemptId: z.string(),
  testId: z.string(),
  kind: z.enum(['quiz', 'assessment']),
  version: z.number(),
  scales: z.array(ScaleResultSchema),
  score: z.number().nullable(),
  correct: z.number().nullable(),
  total: z.number().nullable(),
  passed: z.boolean().nullable(),
  submittedAt: z.string(),
});

export const ExportReportSchema = z.object({
  id: z.string(),
  resultId: z.string(),
  status: z.enum(['queued', 'rendering', 'ready', 'failed']),
  createdAt: z.string(),
  readyAt: z.string().nullable(),
});
