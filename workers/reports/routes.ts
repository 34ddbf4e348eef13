import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate } from '../identity/auth.ts';
import { text } from '../lib/text.ts';
import { IdParam, PageQuery, errorResponses, json, pageOf } from '../lib/openapi.ts';
import { VERIFY_MAX_AGE, listCertificates, revokeCertificate, verifyCertificate } from './certificates.ts';
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

const Localized = z.object({ ru: z.string().optional(), kk: z.string().optional(), en: z.string().optional() });
const CertificateItem = z
  .object({
    id: z.string().openapi({ description: 'The report id: GET /api/reports/{id} gives the PDF link once ready' }),
    code: z.string().nullable(),
    courseId: z.string().nullable(),
    courseTitle: Localized,
    teacherName: z.string().nullable(),
    completedAt: z.string(),
    status: Status,
    revoked: z.boolean(),
  })
  .openapi('CertificateItem');
const CertificateVerification = z
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
const CodeParam = z.object({ code: text().max(32).openapi({ example: 'K7Q2-M9XD-4T8B' }) });
/** Public by design (what the certificate shows); short, so a revocation shows soon. */
const VERIFY_CACHE = `public, max-age=${VERIFY_MAX_AGE}, s-maxage=${VERIFY_MAX_AGE}`;

const r = {
  myCertificates: createRoute({
    method: 'get',
    path: '/me/certificates',
    tags: ['reports'],
    summary: 'Your course certificates, newest first',
    middleware: [authenticate()] as const,
    request: { query: PageQuery },
    responses: { 200: json(pageOf(CertificateItem)), ...errorResponses(400, 401) },
  }),
  verify: createRoute({
    method: 'get',
    path: '/certificates/{code}',
    tags: ['reports'],
    summary: 'Public verification of a certificate by its code: valid or revoked, with what the certificate shows',
    request: { params: CodeParam },
    responses: { 200: json(CertificateVerification), ...errorResponses(404) },
  }),
  revoke: createRoute({
    method: 'post',
    path: '/admin/certificates/{code}/revoke',
    tags: ['admin'],
    summary: 'Revoke a certificate (idempotent); its verification page then says "revoked"',
    middleware: [authenticate(['admin'])] as const,
    request: { params: CodeParam },
    responses: { 200: json(CertificateVerification), ...errorResponses(401, 403, 404) },
  }),
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
  .openapi(r.myCertificates, async (c) => c.json(await listCertificates(ctxOf(c), c.var.actor, c.req.valid('query')), 200))
  .openapi(r.verify, async (c) =>
    c.json(await verifyCertificate(ctxOf(c), c.req.valid('param').code), 200, { 'Cache-Control': VERIFY_CACHE }),
  )
  .openapi(r.revoke, async (c) => c.json(await revokeCertificate(ctxOf(c), c.req.valid('param').code), 200))
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
