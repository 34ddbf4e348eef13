import type { Labels, MetricName, MetricsSink } from './catalog.ts';

/**
 * The recording API: named measurements (a request, a cache hit, a job…) written to every sink
 * (the registry, and Analytics Engine when bound).
 */
export type RateLimitOutcome = 'allowed' | 'blocked' | 'failed_open' | 'failed_closed';
export type JobOutcome = 'ack' | 'retry' | 'dead';

/** Matches lib/cache.ts's CacheStats, so `new Cache(redis, log, { stats: metrics.cacheStats })` just works. */
export interface CacheStatsLike {
  hit(family: string): void;
  miss(family: string): void;
  error(family: string): void;
  load(family: string): void;
}

export class Metrics {
  constructor(private readonly sinks: MetricsSink[]) {}

  private count(name: MetricName, labels: Labels, by = 1) {
    for (const s of this.sinks) s.count(name, labels, by);
  }
  private observe(name: MetricName, labels: Labels, value: number) {
    for (const s of this.sinks) s.observe(name, labels, value);
  }

  /** One answered request; `route` is the matched route pattern, never the raw path. */
  request(route: string, method: string, status: number, ms: number): void {
    this.count('sabaq_http_requests_total', { route, method, status: String(status) });
    this.observe('sabaq_http_request_duration_seconds', { route, method }, ms / 1000);
    if (status >= 500) this.count('sabaq_http_request_errors_total', { route, method });
  }

  cacheHit(family: string): void {
    this.count('sabaq_cache_requests_total', { family, result: 'hit' });
  }
  cacheMiss(family: string): void {
    this.count('sabaq_cache_requests_total', { family, result: 'miss' });
  }
  cacheError(family: string): void {
    this.count('sabaq_cache_requests_total', { family, result: 'error' });
  }
  cacheLoad(family: string): void {
    this.count('sabaq_cache_loads_total', { family });
  }
  /** Adapter for lib/cache.ts. */
  readonly cacheStats: CacheStatsLike = {
    hit: (f) => this.cacheHit(f),
    miss: (f) => this.cacheMiss(f),
    error: (f) => this.cacheError(f),
    load: (f) => this.cacheLoad(f),
  };

  rateLimit(policy: string, outcome: RateLimitOutcome): void {
    this.count('sabaq_ratelimit_decisions_total', { policy, outcome });
  }

  db(ms: number, op = 'query', ok = true): void {
    this.observe('sabaq_db_query_duration_seconds', { op, outcome: ok ? 'ok' : 'error' }, ms / 1000);
  }
  redis(ms: number, op = 'command', ok = true): void {
    this.observe('sabaq_redis_command_duration_seconds', { op, outcome: ok ? 'ok' : 'error' }, ms / 1000);
  }
  admission(family: string, outcome: 'admitted' | 'hot' | 'stale' | 'shed'): void {
    this.count('sabaq_admission_total', { family, outcome });
  }
  redisBreaker(event: 'opened' | 'skipped'): void {
    this.count('sabaq_redis_breaker_total', { event });
  }

  /** Times `fn` as one database round trip. */
  async timeDb<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return this.timed(fn, (ms, ok) => this.db(ms, op, ok));
  }
  /** Times `fn` as one Redis round trip. */
  async timeRedis<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return this.timed(fn, (ms, ok) => this.redis(ms, op, ok));
  }

  queueSent(queue: string, n = 1): void {
    this.count('sabaq_queue_messages_sent_total', { queue }, n);
  }
  /** One handled message: how long it took, how long it had waited, what became of it. */
  job(queue: string, ms: number, outcome: JobOutcome, ageMs?: number): void {
    this.count('sabaq_queue_jobs_total', { queue, outcome });
    this.observe('sabaq_queue_job_duration_seconds', { queue }, ms / 1000);
    if (ageMs !== undefined) this.observe('sabaq_queue_message_age_seconds', { queue }, Math.max(0, ageMs) / 1000);
  }
  dlq(queue: string, n = 1): void {
    this.count('sabaq_queue_dlq_messages_total', { queue }, n);
  }

  private async timed<T>(fn: () => Promise<T>, record: (ms: number, ok: boolean) => void): Promise<T> {
    const started = Date.now();
    try {
      const value = await fn();
      record(Date.now() - started, true);
      return value;
    } catch (err) {
      record(Date.now() - started, false);
      throw err;
    }
  }
}
