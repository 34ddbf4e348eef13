/** Hooks that time the database and Redis clients' round trips, each given where to record. */
import type { Metrics } from './recorder.ts';

/** Wraps a fetch so each call is recorded as one database round trip (the Neon HTTP driver's fetchFunction). */
export function timedDbFetch(metrics: Pick<Metrics, 'db'>, inner: typeof fetch = (...args) => fetch(...args)): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const started = Date.now();
    try {
      const res = await inner(input, init);
      metrics.db(Date.now() - started, 'http', res.ok);
      return res;
    } catch (err) {
      metrics.db(Date.now() - started, 'http', false);
      throw err;
    }
  }) as typeof fetch;
}

/** The part of @upstash/redis we hook: its `use` middleware. */
interface UpstashLike {
  use(
    middleware: (req: { body?: unknown }, next: (req: { body?: unknown }) => Promise<{ error?: string }>) => Promise<{ error?: string }>,
  ): void;
}

/** Records every command (or pipeline) an Upstash client sends as one Redis round trip. */
export function instrumentRedis<T extends object>(redis: T, metrics: Pick<Metrics, 'redis'>): T {
  const hookable = redis as unknown as Partial<UpstashLike>;
  if (typeof hookable.use !== 'function') return redis;
  hookable.use(async (req, next) => {
    const started = Date.now();
    const op = Array.isArray(req.body)
      ? Array.isArray(req.body[0])
        ? 'pipeline'
        : String(req.body[0] ?? 'command').toLowerCase()
      : 'command';
    try {
      const res = await next(req);
      metrics.redis(Date.now() - started, op, !res.error);
      return res;
    } catch (err) {
      metrics.redis(Date.now() - started, op, false);
      throw err;
    }
  });
  return redis;
}
