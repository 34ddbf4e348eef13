import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app.ts';
import { API_DOCS_HTML } from './docs.ts';
import { AppError } from '../lib/errors.ts';
import { checkReadiness } from './readiness.ts';
import { warmCatalog } from '../catalog/warm.ts';
import { ctxOf } from '../app.ts';
import { requireOpsToken } from './ops-auth.ts';

const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const readiness = z.object({
  ok: z.boolean(),
  checks: z.object({ postgres: check, redis: check }),
});

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['ops'],
  summary: 'Liveness: the Worker answers',
  responses: {
    200: { description: 'Alive', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } },
  },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['ops'],
  summary: 'Readiness: Postgres and Redis answer within a short timeout',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readiness } } },
    503: { description: 'A dependency is down; the error details name it' },
  },
});

const warm = createRoute({
  method: 'post',
  path: '/ops/warm',
  tags: ['ops'],
  summary: 'Warm the catalog cache (called at start and by the cron trigger); needs the ops token',
  middleware: [requireOpsToken] as const,
  responses: {
    200: { description: 'Warmed', content: { 'application/json': { schema: z.object({ keys: z.number() }) } } },
    401: { description: 'Missing or wrong token' },
  },
});

export const opsRoutes = createRouter()
  .openapi(warm, async (c) => c.json(await warmCatalog(ctxOf(c)), 200))
  .openapi(health, (c) => c.json({ ok: true as const }, 200, { 'Cache-Control': 'no-store' }))
  .openapi(ready, async (c) => {
    const result = await checkReadiness(c.var.services);
    if (!result.ok) {
      const failing = Object.entries(result.checks)
        .filter(([, v]) => !v.ok)
        .map(([k]) => k);
      throw new AppError(
        'not_ready',
        `Not ready: ${failing.join(', ')} unavailable`,
        { failing, ...result },
        {
          'Retry-After': '5',
          'Cache-Control': 'no-store',
        },
      );
    }
    return c.json(result, 200, { 'Cache-Control': 'no-store' });
  });

// Not part of the document it shows: an HTML page, public and the same for everyone.
opsRoutes.get('/docs', (c) => c.html(API_DOCS_HTML, 200, { 'Cache-Control': 'public, max-age=300' }));
