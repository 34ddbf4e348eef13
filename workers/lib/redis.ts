import { Redis } from '@upstash/redis/cloudflare';
import type { Config } from '../env.ts';
import { instrumentRedis } from './metrics.ts';

/**
 * Redis is off the critical path: no client-side retries (the default retries for ~4 s),
 * and callers bound each call with a short timeout and fall back to Postgres.
 */
export function createRedis(config: Config): Redis {
  timeoutMs = config.REDIS_TIMEOUT_MS;
  // Every command or pipeline is timed for the Redis latency histogram.
  return instrumentRedis(new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    retry: { retries: 0 },
    enableTelemetry: false,
    automaticDeserialization: false,
  }));
}

/**
 * Time budget for one Redis round trip on the request path. It comes from the config
 * (REDIS_TIMEOUT_MS), which is the same for every request an isolate serves; 250 ms unless
 * set. Tests that share two cores with a browser give it more, since fail-closed limits
 * would otherwise answer 503 whenever the machine stalls.
 */
let timeoutMs = 250;
export const redisTimeoutMs = (): number => timeoutMs;
