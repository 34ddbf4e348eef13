import { z } from '@hono/zod-openapi';

/**
 * The answers about reports and certificates, written once: the routes document them
 * (OpenAPI), the domain returns their inferred types, and the site's types are generated
 * from the document (`npm run gen:api`).
 */
export const ReportStatusSchema = z.enum(['queued', 'rendering', 'ready', 'failed']);
export const Localized = z.object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() });

export const ReportRequestSchema = z.object({ id: z.string(), status: ReportStatusSchema }).openapi('ReportRequest');

export const ReportSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['result', 'certificate']),
    status: ReportStatusSchema,
    url: z.string().optional(),
    expiresAt: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    readyAt: z.string().nullable(),
  })
  .openapi('Report');

export const CertificateItemSchema = z
  .object({
    id: z.string().openapi({ description: 'The report id: GET /api/reports/{id} gives the PDF link once ready' }),
    code: z.string().nullable(),
    courseId: z.string().nullable(),
    courseTitle: Localized,
    teacherName: z.string().nullable(),
    completedAt: z.string(),
    status: ReportStatusSchema,
    revoked: z.boolean(),
  })
  .openapi('CertificateItem');

export const CertificateVerificationSchema = z
  .object({
    code: z.string(),
    status: z.enum(['valid', 'revoked']),
    learnerName: z.string(),
    courseId: z.string().nullable(),
    courseTitle: Localized,
    teacherName: z.string().nullable(),
    completedAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('CertificateVerification');

export type ReportStatus = z.infer<typeof ReportStatusSchema>;
export type ReportRequestView = z.infer<typeof ReportRequestSchema>;
/** GET /api/reports/{id}: when ready, a download link valid until expiresAt (at most 15 minutes). */
export type ReportView = z.infer<typeof ReportSchema>;
export type CertificateItem = z.infer<typeof CertificateItemSchema>;
export type CertificateVerification = z.infer<typeof CertificateVerificationSchema>;
