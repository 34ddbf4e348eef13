/** A domain context outside HTTP, for calling operations directly in Worker tests. */
import { createDatabase } from '../../db/client.ts';
import { loadConfig, type Env } from '../../workers/env.ts';
import { Cache } from '../../workers/lib/cache.ts';
import { edgePurge } from '../../workers/lib/edge-cache.ts';
import type { Ctx } from '../../workers/lib/context.ts';
import { createLogger } from '../../workers/lib/logger.ts';
import { isolateMetrics } from '../../workers/lib/metrics.ts';
import { createRedis } from '../../workers/lib/redis.ts';
import { vars } from './users.ts';

export function testCtx(opts: { onQuery?: (sql: string, params: unknown[]) => void } = {}): Ctx {
  const config = loadConfig(vars as unknown as Env);
  const log = createLogger({ test: true }, 'error');
  const db = createDatabase({
    url: config.DATABASE_URL,
    httpEndpoint: config.NEON_HTTP_ENDPOINT,
    wsProxy: config.NEON_WS_PROXY,
    onQuery: opts.onQuery,
  });
  const redis = createRedis(config);
  return {
    config,
    log,
    services: { db, redis, cache: new Cache(redis, log), edge: edgePurge(undefined), metrics: isolateMetrics, now: () => new Date() },
    defer: (p) => void p.catch(() => {}),
  };
}
