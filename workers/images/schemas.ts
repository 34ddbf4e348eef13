import { z } from '@hono/zod-openapi';
import { text } from '../lib/text.ts';
import { IMAGE_TYPES, type ImageType } from './formats.ts';

/**
 * Image uploads as the API takes and answers them, written once: the routes document them
 * (OpenAPI), the domain (uploads.ts) takes and returns their inferred types, and the site's
 * types are generated from the document (`npm run gen:api`).
 */
export const UploadPurposeSchema = z.enum(['course_cover', 'avatar']);

export const UploadRequestSchema = z.object({
  purpose: UploadPurposeSchema,
  courseId: text().max(64).optional(),
  contentType: text().max(100),
  size: z.number().int().min(1),
});

export const UploadStartSchema = z
  .object({
    method: z.literal('PUT'),
    url: z.string(),
    headers: z.object({ 'Content-Type': z.string() }),
    ticket: z.string(),
    expiresAt: z.string(),
    // `presigned`: straight to R2's S3 endpoint; `worker`: through this Worker to the R2 binding.
    via: z.enum(['presigned', 'worker']),
  })
  .openapi('UploadStart');

export const StoredImageSchema = z
  .object({
    url: z.string(),
    contentType: z.enum(IMAGE_TYPES as readonly [ImageType, ...ImageType[]]),
    width: z.number(),
    height: z.number(),
    size: z.number(),
  })
  .openapi('StoredImage');

export type UploadPurpose = z.infer<typeof UploadPurposeSchema>;
export type UploadRequest = z.infer<typeof UploadRequestSchema>;
export type UploadStart = z.infer<typeof UploadStartSchema>;
export type StoredImage = z.infer<typeof StoredImageSchema>;
