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
  /** The URL the request came in on (edge entries are keyed by full URL, on its origin); none outside a request. */
  requestUrl?: string;
  /** The env's recorder (metricsFor(env)); the registry only when absent (scripts). */
  metrics?: Metrics;
}

/**
 * A class rather than an object literal with getters: every request builds one, and a literal
 * allocated a closure per getter per request (~5 % of /api/health's CPU with the URL parse of
 * the origin, which is now done only when a write purges the edge).
 */
class RequestServices implements Services {
  #db: Database | undefined;
  #redis: Redis | undefined;
  #cache: Cache | undefined;
  #edge: EdgePurge | undefined;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly requestUrl: string | undefined,
    readonly metrics: Metrics,
    private readonly cacheDeps: CacheDeps,
  ) {}

  get db(): Database {
    const config = this.config;
    return (this.#db ??= createDatabase({
      url: config.DATABASE_URL,
      readUrl: config.DATABASE_READ_URL,
      httpEndpoint: config.NEON_HTTP_ENDPOINT,
      wsProxy: config.NEON_WS_PROXY,
    }));
  }

  get redis(): Redis {
    return (this.#redis ??= createRedis(this.config, this.metrics));
  }

  get cache(): Cache {
    return (this.#cache ??= new Cache(this.redis, this.log, { stats: this.metrics.cacheStats, ...this.cacheDeps }));
  }

  get edge(): EdgePurge {
    return (this.#edge ??= edgePurge(this.requestUrl && new URL(this.requestUrl).origin));
  }

  now(): Date {
    return new Date();
  }
}

export function createServices(config: Config, log: Logger, options: ServiceOptions = {}): Services {
  const { requestUrl, metrics = isolateMetrics, ...cacheDeps } = options;
  return new RequestServices(config, log, requestUrl, metrics, cacheDeps);
}
