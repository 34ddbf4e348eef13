import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app.ts';
import { AppError } from '../lib/errors.ts';
import { tokenMatches } from './metrics.ts';

/** Operator endpoints (metrics, cache warm-up) take `Authorization: Bearer $METRICS_TOKEN`. */
export const requireOpsToken = createMiddleware<AppEnv>(async (c, next) => {
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!m || !(await tokenMatches(m[1]!, c.var.config.METRICS_TOKEN))) {
    throw new AppError('unauthorized', 'This needs "Authorization: Bearer <METRICS_TOKEN>"', undefined, { 'WWW-Authenticate': 'Bearer realm="ops"' });
  }
  await next();
});
