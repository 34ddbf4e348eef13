/**
 * One small interface for every measurement the platform takes: requests, cache calls,
 * rate-limit decisions, queue jobs, database and Redis round trips. Counters and histograms
 * with labels, written to sinks:
 *
 * - the isolate's registry (always), exposed by `GET /api/metrics` in Prometheus text format
 *   (metrics/registry.ts, metrics/prometheus.ts);
 * - Workers Analytics Engine when the optional `METRICS_AE` binding exists (metrics/analytics-engine.ts).
 *
 * The catalog of names is metrics/catalog.ts; the recording API metrics/recorder.ts; the client
 * hooks metrics/instrument.ts. This file is the isolate's wiring.
 *
 * Usage: `metrics(c).cacheHit('course')` in middleware, `ctx.services.metrics` in domain code,
 * `metricsFor(env)` in queue consumers. Nothing reads "the last env seen": adapters without a
 * request (Redis and database clients) are given their recorder when they are made.
 */
import { AnalyticsEngineSink, type AnalyticsEngineLike } from './metrics/analytics-engine.ts';
import { Metrics } from './metrics/recorder.ts';
import { Registry } from './metrics/registry.ts';

export { METRICS, type Labels, type MetricName, type MetricsSink } from './metrics/catalog.ts';
export { MAX_SERIES, Registry } from './metrics/registry.ts';
export { renderPrometheus } from './metrics/prometheus.ts';
export { AnalyticsEngineSink, type AnalyticsEngineLike } from './metrics/analytics-engine.ts';
export { Metrics, type CacheStatsLike, type JobOutcome, type RateLimitOutcome } from './metrics/recorder.ts';
export { instrumentRedis, timedDbFetch } from './metrics/instrument.ts';

/**
 * This isolate's registry: what /api/metrics renders. Isolate state by design — the numbers of
 * the traffic this isolate served — with no configuration in it.
 */
export const registry = new Registry();

/**
 * The recorder without an env: the registry only. For clients made outside a Worker env
 * (scripts, tests) and the isolate-wide Redis breaker's default.
 */
export const isolateMetrics = new Metrics([registry]);

interface MetricsEnv {
  METRICS_AE?: AnalyticsEngineLike;
}

const byEnv = new WeakMap<object, Metrics>();

/** The recorder for a Worker env: the registry, plus Analytics Engine when bound (one facade per env object). */
export function metricsFor(env: MetricsEnv): Metrics {
  let m = byEnv.get(env);
  if (!m) {
    m = env.METRICS_AE ? new Metrics([registry, new AnalyticsEngineSink(env.METRICS_AE)]) : isolateMetrics;
    byEnv.set(env, m);
  }
  return m;
}

/** The recorder of a request: `metrics(c).cacheHit('course')`. */
export const metrics = (c: { env: unknown }): Metrics => (c.env ? metricsFor(c.env as MetricsEnv) : isolateMetrics);

/**
 * The route pattern that answered a response (set by the request-metrics middleware), so a
 * copy of it reused before routing (admission-gate.ts, hot answers) is counted under the same
 * route. Keyed by the Response object: nothing outlives the response.
 */
const answeredBy = new WeakMap<Response, string>();
export const tagRoute = (res: Response, route: string): void => void answeredBy.set(res, route);
export const routeOf = (res: Response): string | undefined => answeredBy.get(res);
