import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app.ts';
import { AppError } from '../lib/errors.ts';
import { registry } from '../lib/metrics.ts';
import { errorResponses } from '../lib/openapi.ts';

const encoder = new TextEncoder();

/** Constant-time comparison: both sides are hashed first, so neither length nor prefix leaks. */
export async function tokenMatches(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(given)), crypto.subtle.digest('SHA-256', encoder.encode(expected))]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

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
  request: { headers: z.object({ authorization: z.string().optional() }) },
  responses: {
    200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    ...errorResponses(401),
  },
});

export const metricsRoutes = createRouter().openapi(metricsRoute, async (c) => {
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!m || !(await tokenMatches(m[1]!, c.var.config.METRICS_TOKEN))) {
    throw new AppError('unauthorized', 'Metrics need "Authorization: Bearer <METRICS_TOKEN>"', undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
  }
  return c.text(registry.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
});
