import { Redis } from '@upstash/redis/cloudflare';
import type { Config } from '../env.ts';
import { instrumentRedis, recordRedisBreaker } from './metrics.ts';
import { withTimeout } from './timeout.ts';

/**
 * Redis is off the critical path: no client-side retries (the default retries for ~4 s),
 * and callers bound each call with a short timeout and fall back to Postgres.
 */
export function createRedis(config: Config): Redis {
  // One client per configuration and isolate: it holds no connection (each command is a fetch),
  // and building one per request showed up in the CPU profile of the smallest requests.
  const shared = clientsByConfig.get(config);
  if (shared) return shared;
  // Every command or pipeline is timed for the Redis latency histogram.
  const client = instrumentRedis(
    new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      retry: { retries: 0 },
      enableTelemetry: false,
      automaticDeserialization: false,
    }),
  );
  budgets.set(client, config.REDIS_TIMEOUT_MS);
  clientsByConfig.set(config, client);
  return client;
}

const clientsByConfig = new WeakMap<Config, Redis>();

const DEFAULT_TIMEOUT_MS = 250;
/** Each client's time budget, fixed when it is made (no module-level setting to rewrite). */
const budgets = new WeakMap<object, number>();

/**
 * Time budget for one Redis round trip on the request path: the REDIS_TIMEOUT_MS of the config
 * the client was made with (250 ms unless set; clients made elsewhere get 250 ms). Tests that
 * share two cores with a browser give it more, since fail-closed limits would otherwise answer
 * 503 whenever the machine stalls.
 */
export const redisTimeoutMs = (redis: object): number => budgets.get(redis) ?? DEFAULT_TIMEOUT_MS;

/** A request-path Redis call that was not sent because the breaker is open. */
export class RedisSkippedError extends Error {
  constructor(what: string) {
    super(`${what} skipped: Redis failed repeatedly, retrying shortly`);
    this.name = 'RedisSkippedError';
  }
}

/**
 * Per-isolate circuit breaker for request-path Redis calls. After `threshold` consecutive
 * failures (timeouts or errors) calls are not sent for `openMs`: every caller takes its
 * fallback at once — Postgres for the cache, the policy's fail mode for rate limits — instead
 * of each waiting out the time budget, and a struggling Redis gets room to recover. Then calls
 * go through again; one more failure reopens it at once, a success closes it.
 */
export class RedisBreaker {
  private failures = 0;
  /** 0 while closed; once opened, stays set until a success closes it. */
  private openUntil = 0;

  constructor(
    private readonly threshold = 5,
    private readonly openMs = 1000,
    private readonly now: () => number = Date.now,
    private readonly onOpen: () => void = () => {},
  ) {}

  /** False while open; after the open period calls go through as probes. */
  allow(): boolean {
    return this.openUntil === 0 || this.now() >= this.openUntil;
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failure(): void {
    const probeFailed = this.openUntil !== 0 && this.now() >= this.openUntil;
    if (probeFailed || ++this.failures >= this.threshold) {
      this.openUntil = this.now() + this.openMs;
      this.failures = 0;
      this.onOpen();
    }
  }
}

const breaker = new RedisBreaker(5, 1000, Date.now, () => recordRedisBreaker('opened'));

/**
 * Request-path Redis calls in flight per isolate, at most. Past it a call takes its fallback
 * at once: a slow Redis cannot pile up sockets (workerd ran out of file descriptors with
 * thousands of them), and the breaker sees the slowness through the calls already out.
 */
export const MAX_REDIS_INFLIGHT = 64;
let redisInflight = 0;

/**
 * One request-path Redis call: bounded by the time budget and guarded by the breaker.
 * Security writes that must be attempted whatever happened before (revocation markers) and
 * the readiness probe call Redis directly instead.
 */
export async function redisCall<T>(run: () => Promise<T>, what: string, ms: number, guard: RedisBreaker = breaker): Promise<T> {
  if (!guard.allow()) {
    recordRedisBreaker('skipped');
    throw new RedisSkippedError(what);
  }
  if (redisInflight >= MAX_REDIS_INFLIGHT) {
    recordRedisBreaker('skipped');
    throw new RedisSkippedError(what);
  }
  redisInflight++;
  try {
    const value = await withTimeout(run(), ms, what);
    guard.success();
    return value;
  } catch (err) {
    guard.failure();
    throw err;
  } finally {
    redisInflight--;
  }
}
