import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { IdParam, errorResponses, json } from '../lib/openapi.ts';
import { getReport, openDownload, requestResultReport } from './reports.ts';

const Status = z.enum(['queued', 'rendering', 'ready', 'failed']);
const ReportRequest = z.object({ id: z.string(), status: Status }).openapi('ReportRequest');
const Report = z
  .object({
    id: z.string(),
    kind: z.enum(['result', 'certificate']),
    status: Status,
    url: z.string().optional(),
    expiresAt: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    readyAt: z.string().nullable(),
  })
  .openapi('Report');

const r = {
  request: createRoute({
    method: 'post',
    path: '/results/{id}/report',
    tags: ['reports'],
    summary: 'Ask for the PDF report of your result (idempotent); poll GET /api/reports/{id}',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 202: json(ReportRequest, 'Accepted: rendered in the background'), ...errorResponses(401, 404, 503) },
  }),
  get: createRoute({
    method: 'get',
    path: '/reports/{id}',
    tags: ['reports'],
    summary: 'Status of your report; when ready, a download link valid for at most 15 minutes',
    middleware: [authenticate()] as const,
    request: { params: IdParam },
    responses: { 200: json(Report), ...errorResponses(401, 404) },
  }),
  download: createRoute({
    method: 'get',
    path: '/reports/{id}/download',
    tags: ['reports'],
    summary: 'The PDF, through a signed link from GET /api/reports/{id} (no session needed)',
    request: { params: IdParam, query: z.object({ exp: z.string().max(16).optional(), sig: z.string().max(128).optional() }) },
    responses: {
      200: { description: 'The PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...errorResponses(403, 404),
    },
  }),
};

export const reportsRoutes = createRouter()
  .openapi(r.request, async (c) => c.json(await requestResultReport(ctxOf(c), c.var.actor, c.req.valid('param').id), 202))
  .openapi(r.get, async (c) =>
    c.json(await getReport(ctxOf(c), c.var.actor, c.req.valid('param').id, { origin: new URL(c.req.url).origin }), 200),
  )
  .openapi(r.download, async (c) => {
    const file = await openDownload(ctxOf(c), c.req.valid('param').id, c.req.valid('query'));
    return c.body(file.body, 200, {
      'Content-Type': 'application/pdf',
      'Content-Length': String(file.size),
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      'Cache-Control': 'private, no-store',
      ETag: file.etag,
      'X-Content-Type-Options': 'nosniff',
    });
  });
