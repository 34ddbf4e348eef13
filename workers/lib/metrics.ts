/**
 * One small interface for every measurement the platform takes: requests, cache calls,
 * rate-limit decisions, queue jobs, database and Redis round trips. Counters and histograms
 * with labels, written to sinks:
 *
 * - the isolate's registry (always), exposed by `GET /api/metrics` in Prometheus text format.
 *   Isolate memory is per isolate: locally (workerd runs one isolate per worker) it is the
 *   whole picture; in production each isolate only knows its own traffic, so
 * - Workers Analytics Engine (when the optional `METRICS_AE` binding exists) receives the
 *   same points, one data point each: blob1 = metric name, blob2… = label values in the
 *   metric's label order, double1 = value (1 for a counter increment, seconds for a duration).
 *   Queries aggregate across isolates with SQL (sum(_sample_interval * double1), quantiles).
 *
 * Label values are bounded by construction (route patterns, never raw paths; key families,
 * never keys); a per-metric series cap folds anything beyond into `other`.
 *
 * Usage from domain code: `metrics(c).cacheHit('course')`, `metricsFor(env).job(...)`, or the
 * context-free `recordDb(ms)` / `recordRedis(ms)` from adapters that never see a request.
 */

export type Labels = Record<string, string>;

type Kind = 'counter' | 'histogram' | 'gauge';

interface MetricDef {
  kind: Kind;
  help: string;
  /** Label names in exposition (and Analytics Engine blob) order. */
  labels: readonly string[];
  /** Histogram upper bounds, seconds. */
  buckets?: readonly number[];
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

/** Every metric the platform exposes: the names below are the contract with dashboards and the bench. */
export const METRICS = {
  sabaq_http_requests_total: {
    kind: 'counter',
    help: 'HTTP requests answered, by route pattern, method and status.',
    labels: ['route', 'method', 'status'],
  },
  sabaq_http_request_duration_seconds: {
    kind: 'histogram',
    help: 'Time to answer a request inside the Worker (I/O time; Workers clocks stand still during CPU work).',
    labels: ['route', 'method'],
    buckets: LATENCY_BUCKETS,
  },
  sabaq_http_request_errors_total: {
    kind: 'counter',
    help: 'Requests answered with a 5xx status, by route pattern.',
    labels: ['route', 'method'],
  },
  sabaq_cache_requests_total: {
    kind: 'counter',
    help: 'Cache lookups by key family: hit, miss (then loaded once), error (Redis unavailable, read through).',
    labels: ['family', 'result'],
  },
  sabaq_cache_loads_total: {
    kind: 'counter',
    help: 'Values computed from Postgres because the cache could not answer.',
    labels: ['family'],
  },
  sabaq_ratelimit_decisions_total: {
    kind: 'counter',
    help: 'Rate-limit decisions by policy: allowed, blocked, failed_open (Redis unavailable, let through), failed_closed (answered 503).',
    labels: ['policy', 'outcome'],
  },
  sabaq_queue_messages_sent_total: { kind: 'counter', help: 'Messages sent to a queue.', labels: ['queue'] },
  sabaq_queue_jobs_total: {
    kind: 'counter',
    help: 'Queue messages handled, by outcome: ack, retry, dead (sent to the dead-letter queue).',
    labels: ['queue', 'outcome'],
  },
  sabaq_queue_job_duration_seconds: {
    kind: 'histogram',
    help: 'Time to handle one queue message.',
    labels: ['queue'],
    buckets: JOB_BUCKETS,
  },
  sabaq_queue_message_age_seconds: {
    kind: 'histogram',
    help: 'Age of a message when its handling starts (queue wait).',
    labels: ['queue'],
    buckets: JOB_BUCKETS,
  },
  sabaq_queue_dlq_messages_total: { kind: 'counter', help: 'Messages received by a dead-letter queue consumer.', labels: ['queue'] },
  sabaq_queue_depth: {
    kind: 'gauge',
    help: 'Messages sent and not yet acked or dead-lettered, as seen by this isolate (exact locally; use Analytics Engine in production).',
    labels: ['queue'],
  },
  sabaq_db_query_duration_seconds: {
    kind: 'histogram',
    help: 'Postgres round trips from the Worker.',
    labels: ['op', 'outcome'],
    buckets: LATENCY_BUCKETS,
  },
  sabaq_redis_command_duration_seconds: {
    kind: 'histogram',
    help: 'Redis (Upstash REST) round trips from the Worker.',
    labels: ['op', 'outcome'],
    buckets: LATENCY_BUCKETS,
  },
  sabaq_admission_total: {
    kind: 'counter',
    help: 'Admission control by route family: admitted, stale (full: the last good answer served), shed (full: 503 overloaded).',
    labels: ['family', 'outcome'],
  },
  sabaq_redis_breaker_total: {
    kind: 'counter',
    help: 'Redis circuit breaker: opened (after consecutive failures), skipped (calls not sent while open).',
    labels: ['event'],
  },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

/** Where points go. The registry and Analytics Engine both implement it. */
export interface MetricsSink {
  count(name: MetricName, labels: Labels, by: number): void;
  observe(name: MetricName, labels: Labels, value: number): void;
  set(name: MetricName, labels: Labels, value: number): void;
}

// ---------------------------------------------------------------------------------------------
// In-isolate registry

/** Series per metric beyond which new label sets are folded into `other`. */
export const MAX_SERIES = 500;

interface Series {
  labels: Labels;
  value: number;
  /** Histograms: cumulative-at-render counts per bucket (stored per bucket), sum, count. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

const keyOf = (def: MetricDef, labels: Labels) => def.labels.map((l) => labels[l] ?? '').join('\u0001');

export class Registry implements MetricsSink {
  private readonly series = new Map<MetricName, Map<string, Series>>();
  // Random values and clocks are not available at global scope in Workers: set on first use.
  private started?: number;
  private id?: string;

  /** When this registry (and so the isolate) recorded its first point. */
  get startedAt(): number {
    return (this.started ??= Date.now());
  }
  get isolateId(): string {
    return (this.id ??= crypto.randomUUID().slice(0, 8));
  }

  private get(name: MetricName, labels: Labels): Series {
    void this.startedAt;
    const def: MetricDef = METRICS[name];
    let byKey = this.series.get(name);
    if (!byKey) this.series.set(name, (byKey = new Map()));
    let key = keyOf(def, labels);
    let s = byKey.get(key);
    if (!s) {
      if (byKey.size >= MAX_SERIES) {
        labels = Object.fromEntries(def.labels.map((l) => [l, 'other']));
        key = keyOf(def, labels);
        s = byKey.get(key);
      }
      if (!s) {
        const clean: Labels = {};
        for (const l of def.labels) clean[l] = labels[l] ?? '';
        s = { labels: clean, value: 0 };
        if (def.kind === 'histogram') {
          s.buckets = new Array<number>(def.buckets!.length).fill(0);
          s.sum = 0;
          s.count = 0;
        }
        byKey.set(key, s);
      }
    }
    return s;
  }

  count(name: MetricName, labels: Labels, by = 1): void {
    this.get(name, labels).value += by;
  }

  observe(name: MetricName, labels: Labels, value: number): void {
    const s = this.get(name, labels);
    const bounds = (METRICS[name] as MetricDef).buckets!;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.buckets![i]!++;
        break;
      }
    }
    s.sum! += value;
    s.count!++;
  }

  set(name: MetricName, labels: Labels, value: number): void {
    this.get(name, labels).value = value;
  }

  /** Current value of a counter or gauge series (tests, derived gauges). */
  value(name: MetricName, labels: Labels): number {
    return this.series.get(name)?.get(keyOf(METRICS[name], labels))?.value ?? 0;
  }

  entries(name: MetricName): Series[] {
    return [...(this.series.get(name)?.values() ?? [])];
  }

  reset(): void {
    this.series.clear();
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    this.deriveQueueDepth();
    const out: string[] = [];
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
    const fmt = (labels: Labels, extra?: [string, string]) => {
      const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
      if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
      return parts.length ? `{${parts.join(',')}}` : '';
    };
    const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));
    for (const name of Object.keys(METRICS) as MetricName[]) {
      const def: MetricDef = METRICS[name];
      const all = this.entries(name);
      out.push(`# HELP ${name} ${def.help}`, `# TYPE ${name} ${def.kind}`);
      for (const s of all) {
        if (def.kind !== 'histogram') {
          out.push(`${name}${fmt(s.labels)} ${num(s.value)}`);
          continue;
        }
        let cumulative = 0;
        def.buckets!.forEach((b, i) => {
          cumulative += s.buckets![i]!;
          out.push(`${name}_bucket${fmt(s.labels, ['le', String(b)])} ${cumulative}`);
        });
        out.push(`${name}_bucket${fmt(s.labels, ['le', '+Inf'])} ${s.count}`);
        out.push(`${name}_sum${fmt(s.labels)} ${num(s.sum!)}`);
        out.push(`${name}_count${fmt(s.labels)} ${s.count}`);
      }
    }
    out.push(
      '# HELP sabaq_metrics_isolate_info The isolate these numbers come from (each isolate counts only its own traffic).',
      '# TYPE sabaq_metrics_isolate_info gauge',
      `sabaq_metrics_isolate_info{isolate="${this.isolateId}",started="${new Date(this.startedAt).toISOString()}"} 1`,
    );
    return `${out.join('\n')}\n`;
  }

  private deriveQueueDepth() {
    for (const sent of this.entries('sabaq_queue_messages_sent_total')) {
      const queue = sent.labels.queue!;
      const done =
        this.value('sabaq_queue_jobs_total', { queue, outcome: 'ack' }) + this.value('sabaq_queue_jobs_total', { queue, outcome: 'dead' });
      this.set('sabaq_queue_depth', { queue }, Math.max(0, sent.value - done));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Workers Analytics Engine

/** The part of the Analytics Engine binding we use. */
export interface AnalyticsEngineLike {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

export class AnalyticsEngineSink implements MetricsSink {
  constructor(private readonly dataset: AnalyticsEngineLike) {}

  private write(name: MetricName, labels: Labels, value: number) {
    const def: MetricDef = METRICS[name];
    try {
      this.dataset.writeDataPoint({ indexes: [name], blobs: [name, ...def.labels.map((l) => labels[l] ?? '')], doubles: [value] });
    } catch {
      // Metrics never fail a request.
    }
  }

  count(name: MetricName, labels: Labels, by: number): void {
    this.write(name, labels, by);
  }
  observe(name: MetricName, labels: Labels, value: number): void {
    this.write(name, labels, value);
  }
  set(name: MetricName, labels: Labels, value: number): void {
    this.write(name, labels, value);
  }
}

// ---------------------------------------------------------------------------------------------
// The recording API

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
  admission(family: string, outcome: 'admitted' | 'stale' | 'shed'): void {
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

// ---------------------------------------------------------------------------------------------
// Isolate-lived wiring (module scope holds only the registry and per-env facades, no I/O)

/** This isolate's registry: what /api/metrics renders. */
export const registry = new Registry();

interface MetricsEnv {
  METRICS_AE?: AnalyticsEngineLike;
}

const byEnv = new WeakMap<object, Metrics>();
const plain = new Metrics([registry]);
/** The facade of the last env seen, for context-free recorders (an isolate has one env). */
let current: Metrics = plain;

/** The recorder for a Worker env: the registry, plus Analytics Engine when bound. */
export function metricsFor(env: MetricsEnv | undefined): Metrics {
  if (!env) return current;
  let m = byEnv.get(env);
  if (!m) {
    m = env.METRICS_AE ? new Metrics([registry, new AnalyticsEngineSink(env.METRICS_AE)]) : plain;
    byEnv.set(env, m);
  }
  current = m;
  return m;
}

/** The recorder of a request: `metrics(c).cacheHit('course')`. */
export const metrics = (c: { env: unknown }) => metricsFor(c.env as MetricsEnv | undefined);

/** For adapters without a request context (db, redis clients). */
export const recordDb = (ms: number, op = 'query', ok = true) => current.db(ms, op, ok);
export const recordRedis = (ms: number, op = 'command', ok = true) => current.redis(ms, op, ok);
export const recordRedisBreaker = (event: 'opened' | 'skipped') => current.redisBreaker(event);

/** Wraps a fetch so each call is recorded as one database round trip (the Neon HTTP driver's fetchFunction). */
export function timedDbFetch(inner: typeof fetch = (...args) => fetch(...args)): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const started = Date.now();
    try {
      const res = await inner(input, init);
      recordDb(Date.now() - started, 'http', res.ok);
      return res;
    } catch (err) {
      recordDb(Date.now() - started, 'http', false);
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
export function instrumentRedis<T extends object>(redis: T): T {
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
      recordRedis(Date.now() - started, op, !res.error);
      return res;
    } catch (err) {
      recordRedis(Date.now() - started, op, false);
      throw err;
    }
  });
  return redis;
}
