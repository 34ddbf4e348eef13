/**
 * What the platform measures: every metric's name, kind, help text and label names. The names
 * are the contract with dashboards and the bench; label values are bounded by construction
 * (route patterns, never raw paths; key families, never keys).
 */
export type Labels = Record<string, string>;

type Kind = 'counter' | 'histogram' | 'gauge';

export interface MetricDef {
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
    help: 'Admission control by route family: admitted, hot (the same public answer made a moment ago, reused), stale (full: the last good answer served), shed (full: 503 overloaded).',
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
