import type { Redis } from '@upstash/redis/cloudflare';
import { createDatabase, type Database } from '../../db/client.ts';
import type { Config } from '../env.ts';
import { Cache, type CacheDeps } from './cache.ts';
import type { Logger } from './logger.ts';
import { createRedis } from './redis.ts';

/**
 * Per-request adapters. Created lazily so a request that never touches Redis or the
 * database opens nothing; nothing here lives at module scope.
 */
export interface Services {
  readonly db: Database;
  readonly redis: Redis;
  readonly cache: Cache;
  now(): Date;
}

export function createServices(config: Config, log: Logger, cacheDeps: CacheDeps = {}): Services {
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
      return (redis ??= createRedis(config));
    },
    get cache() {
      return (cache ??= new Cache(services.redis, log, cacheDeps));
    },
    now: () => new Date(),
  };
  return services;
}
