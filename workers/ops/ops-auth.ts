import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app.ts';
import { AppError } from '../lib/errors.ts';

const encoder = new TextEncoder();

/** Constant-time comparison: both sides are hashed first, so neither length nor prefix leaks. */
export async function tokenMatches(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** Operator endpoints (metrics, cache warm-up) take `Authorization: Bearer $METRICS_TOKEN`. */
export const requireOpsToken = createMiddleware<AppEnv>(async (c, next) => {
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!m || !(await tokenMatches(m[1]!, c.var.config.METRICS_TOKEN))) {
    throw new AppError('unauthorized', 'This needs "Authorization: Bearer <METRICS_TOKEN>"', undefined, {
      'WWW-Authenticate': 'Bearer realm="ops"',
    });
  }
  await next();
});
