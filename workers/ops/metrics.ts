import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app.ts';
import { requireOpsToken } from './ops-auth.ts';
import { registry } from '../lib/metrics.ts';
import { errorResponses } from '../lib/openapi.ts';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['ops'],
  summary: 'Prometheus metrics of this isolate (Authorization: Bearer $METRICS_TOKEN)',
  description:
    'Request counts and latency histograms per route pattern and status, errors, cache hits and misses per key family, ' +
    'rate-limit decisions, queue depth, job durations and dead letters, Postgres and Redis latency. Counters live in the ' +
    'isolate that answers: exact locally (one isolate), per isolate in production, where the same points also go to ' +
    'Workers Analytics Engine when METRICS_AE is bound.',
  middleware: [requireOpsToken] as const,
  request: { headers: z.object({ authorization: z.string().optional() }) },
  responses: {
    200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    ...errorResponses(401),
  },
});

export const metricsRoutes = createRouter().openapi(metricsRoute, async (c) => {
  return c.text(registry.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
});
