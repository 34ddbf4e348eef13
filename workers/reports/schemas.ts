import { z } from '@hono/zod-openapi';

/**
 * The reports API's answers, written once: the routes document them, the domain returns their
 * inferred types, and the site's types are generated from the document (`npm run gen:api`).
 */
export const ReportStatusSchema = z.enum(['queued', 'rendering', 'ready', 'failed']);
export const ReportRequestSchema = z.object({ id: z.string(), status: ReportStatusSchema }).openapi('ReportRequest');
export const ReportSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['result', 'certificate']),
    status: ReportStatusSchema,
    url: z.string().optional().openapi({ description: 'When ready: a download link valid until expiresAt (at most 15 minutes)' }),
    expiresAt: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    readyAt: z.string().nullable(),
  })
  .openapi('Report');

export type ReportStatus = z.infer<typeof ReportStatusSchema>;
export type ReportRequestView = z.infer<typeof ReportRequestSchema>;
export type ReportView = z.infer<typeof ReportSchema>;
