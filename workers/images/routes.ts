import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf, type AppContext } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { errorResponses, json, jsonBody } from '../lib/openapi.ts';
import { StoredImageSchema as StoredImage, UploadRequestSchema, UploadStartSchema as UploadStart } from './schemas.ts';
import { MAX_IMAGE_BYTES, completeUpload, readImage, receiveUpload, startUpload } from './uploads.ts';

const Ticket = z.object({ ticket: z.string().min(1).max(2000) });

const r = {
  start: createRoute({
    method: 'post',
    path: '/images/uploads',
    tags: ['images'],
    summary: 'Start an image upload (a course cover or your avatar): PNG, JPEG or WebP up to 1 MiB; answers where to PUT the bytes',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(UploadRequestSchema) },
    responses: { 201: json(UploadStart, 'Upload the bytes to `url`'), ...errorResponses(400, 401, 403, 404, 413, 415) },
  }),
  put: createRoute({
    method: 'put',
    path: '/images/uploads/{ticket}',
    tags: ['images'],
    summary:
      "The Worker's stand-in for a presigned R2 PUT (local runs): the raw image bytes, with the declared Content-Type and Content-Length",
    middleware: [authenticate()] as const,
    request: { params: z.object({ ticket: z.string().max(2000) }) },
    responses: { 204: { description: 'Stored; now call /images/uploads/complete' }, ...errorResponses(401, 404, 413, 415) },
  }),
  complete: createRoute({
    method: 'post',
    path: '/images/uploads/complete',
    tags: ['images'],
    summary: 'Check the uploaded bytes (type, size, dimensions), strip EXIF, publish the image and attach it',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(Ticket) },
    responses: { 200: json(StoredImage), ...errorResponses(400, 401, 404, 409, 413, 415) },
  }),
};

export const imagesRoutes = createRouter()
  .openapi(r.start, async (c) => {
    const origin = new URL(c.req.url).origin;
    const started = await startUpload(ctxOf(c), c.var.actor, c.req.valid('json'), (t) => `${origin}/api/images/uploads/${t}`);
    return c.json(started, 201);
  })
  .openapi(r.put, async (c) => {
    const length = c.req.header('content-length');
    await receiveUpload(ctxOf(c), c.var.actor, c.req.valid('param').ticket, {
      contentType: c.req.header('content-type') ?? '',
      contentLength: length && /^\d{1,9}$/.test(length) ? Number(length) : null,
      stream: c.req.raw.body,
    });
    return c.body(null, 204);
  })
  .openapi(r.complete, async (c) => c.json(await completeUpload(ctxOf(c), c.var.actor, c.req.valid('json').ticket), 200));

export { MAX_IMAGE_BYTES };

/** GET /images/<sha256>.<ext>: content-addressed, so cached for a year everywhere. */
export async function imageResponse(c: AppContext, name: string): Promise<Response> {
  const object = await readImage(ctxOf(c), name).catch(() => null);
  if (!object) return c.text('Not found', 404, { 'Cache-Control': 'public, max-age=60' });
  return new Response(object.body, {
    headers: {
      'Content-Type': object.httpMetadata?.contentType ?? 'application/octet-stream',
      'Content-Length': String(object.size),
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: object.httpEtag,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
    },
  });
}
