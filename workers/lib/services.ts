import type { Redis } from '@upstash/redis/cloudflare';
import { createDatabase, type Database } from '../../db/client.ts';
import type { Config } from '../env.ts';
import { Cache, type CacheDeps } from './cache.ts';
import { edgePurge, type EdgePurge } from './edge-cache.ts';
import type { Logger } from './logger.ts';
import { isolateMetrics, type Metrics } from './metrics.ts';
import { createRedis } from './redis.ts';

/**
 * Per-request adapters. Created lazily so a request that never touches Redis or the
 * database opens nothing; nothing here lives at module scope.
 */
export interface Services {
  readonly db: Database;
  readonly redis: Redis;
  readonly cache: Cache;
  /** This colo's edge copies of public pages, for writes that change what they show. */
  readonly edge: EdgePurge;
  /** Where this request's (or job's) measurements go: the registry, plus Analytics Engine when bound. */
  readonly metrics: Metrics;
  now(): Date;
}

export interface ServiceOptions extends CacheDeps {
  /** The origin the request came in on (edge entries are keyed by full URL); none outside a request. */
  edgeOrigin?: string;
  /** The env's recorder (metricsFor(env)); the registry only when absent (scripts). */
  metrics?: Metrics;
}

export function createServices(config: Config, log: Logger, options: ServiceOptions = {}): Services {
  const { edgeOrigin, metrics = isolateMetrics, ...cacheDeps } = options;
  let db: Database | undefined;
  let redis: Redis | undefined;
  let cache: Cache | undefined;
  const services: Services = {
    get db() {
      return (db ??= createDatabase({
        url: config.DATABASE_URL,
        readUrl: config.DATABASE_READ_URL,
        httpEndpoint: config.NEON_HTTP_ENDPOINT,
        wsProxy: config.NEON_WS_PROXY,
      }));
    },
    get redis() {
      return (redis ??= createRedis(config, metrics));
    },
    get cache() {
      return (cache ??= new Cache(services.redis, log, { stats: metrics.cacheStats, ...cacheDeps }));
    },
    edge: edgePurge(edgeOrigin),
    metrics,
    now: () => new Date(),
  };
  return services;
}
