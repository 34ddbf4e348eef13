import { Redis } from '@upstash/redis/cloudflare';
import type { Config } from '../env.ts';
import { instrumentRedis, isolateMetrics, type Metrics } from './metrics.ts';
import { withTimeout } from './timeout.ts';

/**
 * Redis is off the critical path: no client-side retries (the default retries for ~4 s),
 * and callers bound each call with a short timeout and fall back to Postgres.
 */
export function createRedis(config: Config, metrics: Metrics = isolateMetrics): Redis {
  // One client per configuration and isolate: it holds no connection (each command is a fetch),
  // and building one per request showed up in the CPU profile of the smallest requests.
  // (A config belongs to one env, and so does the recorder: the shared client keeps its own.)
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
      // Auto-pipelining builds a Pipeline per batch, and a Pipeline allocates a closure for each
      // of its ~190 commands: ~10 % of the isolate's CPU in the enrollment profile (issue 16).
      // Multi-key work here is one script or one explicit pipeline instead.
      enableAutoPipelining: false,
      // Plain JSON answers instead of base64 (the client's default, for binary values): every
      // value stored here is text, and decoding base64 cost ~2 % of a cached read's CPU.
      responseEncoding: false,
    }),
    metrics,
  );
  clients.set(client, { ms: config.REDIS_TIMEOUT_MS, metrics });
  clientsByConfig.set(config, client);
  return client;
}

const clientsByConfig = new WeakMap<Config, Redis>();

/** What we use of an @upstash/redis Script. */
export interface RedisScript<T> {
  exec(keys: string[], args: string[]): Promise<T>;
}

/**
 * One Script per client and script text: it holds the script's SHA-1 (EVALSHA first, EVAL
 * when the server does not know it yet), worth computing once per isolate, not per request.
 */
export function scriptOf<T>(redis: Redis, source: string): RedisScript<T> {
  let byText = scripts.get(redis);
  if (!byText) scripts.set(redis, (byText = new Map()));
  let script = byText.get(source);
  if (!script) byText.set(source, (script = redis.createScript<unknown>(source)));
  return script as RedisScript<T>;
}
const scripts = new WeakMap<Redis, Map<string, RedisScript<unknown>>>();

const DEFAULT_TIMEOUT_MS = 250;
/** What one request-path call may take, and where its breaker events are recorded. */
export interface RedisBudget {
  ms: number;
  metrics: Pick<Metrics, 'redisBreaker'>;
}
/** Each client's time budget and recorder, fixed when it is made (no module-level setting to rewrite). */
const clients = new WeakMap<object, { ms: number; metrics: Metrics }>();

/** The recorder a client was made with (the registry only for clients made elsewhere). */
export const redisMetrics = (redis: object): Metrics => clients.get(redis)?.metrics ?? isolateMetrics;

/** The budget of one call on this client: its time (× `factor`) and its recorder. */
export const redisBudget = (redis: object, factor = 1): RedisBudget => ({
  ms: redisTimeoutMs(redis) * factor,
  metrics: redisMetrics(redis),
});

/**
 * Time budget for one Redis round trip on the request path: the REDIS_TIMEOUT_MS of the config
 * the client was made with (250 ms unless set; clients made elsewhere get 250 ms). Tests that
 * share two cores with a browser give it more, since fail-closed limits would otherwise answer
 * 503 whenever the machine stalls.
 */
export const redisTimeoutMs = (redis: object): number => clients.get(redis)?.ms ?? DEFAULT_TIMEOUT_MS;

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

  /** Counts a failure; true when it opened the breaker. */
  failure(): boolean {
    const probeFailed = this.openUntil !== 0 && this.now() >= this.openUntil;
    if (probeFailed || ++this.failures >= this.threshold) {
      this.openUntil = this.now() + this.openMs;
      this.failures = 0;
      this.onOpen();
      return true;
    }
    return false;
  }
}

/** The isolate's breaker (isolate state by design: it protects this isolate's calls); its events are recorded by the call that caused them. */
const breaker = new RedisBreaker(5, 1000, Date.now);

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
export async function redisCall<T>(
  run: () => Promise<T>,
  what: string,
  budget: RedisBudget | number,
  guard: RedisBreaker = breaker,
): Promise<T> {
  const { ms, metrics } = typeof budget === 'number' ? { ms: budget, metrics: isolateMetrics } : budget;
  if (!guard.allow() || redisInflight >= MAX_REDIS_INFLIGHT) {
    metrics.redisBreaker('skipped');
    throw new RedisSkippedError(what);
  }
  redisInflight++;
  try {
    const value = await withTimeout(run(), ms, what);
    guard.success();
    return value;
  } catch (err) {
    if (guard.failure()) metrics.redisBreaker('opened');
    throw err;
  } finally {
    redisInflight--;
  }
}
