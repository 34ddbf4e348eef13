import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';
import { AnalyticsEngineSink, MAX_SERIES, Metrics, Registry, timedDbFetch, type AnalyticsEngineLike } from './metrics.ts';

const token = () => (env as unknown as { METRICS_TOKEN: string }).METRICS_TOKEN;

/** The value of one exposition line, e.g. sample(text, 'x_total{route="/a"}'). */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${prefix} `));
  return line === undefined ? undefined : Number(line.slice(prefix.length + 1));
}

describe('registry (Prometheus text format)', () => {
  it('counts, observes into cumulative buckets and renders HELP, TYPE, _bucket, _sum and _count', () => {
    const r = new Registry();
    const m = new Metrics([r]);
    m.request('/api/courses/:id', 'GET', 200, 12);
    m.request('/api/courses/:id', 'GET', 200, 80);
    m.request('/api/courses/:id', 'GET', 503, 3);
    m.cacheHit('course');
    m.cacheMiss('course');
    m.rateLimit('search', 'failed_open');
    m.db(4, 'http');
    const text = r.render();
    expect(text).toContain('# TYPE sabaq_http_requests_total counter');
    expect(text).toContain('# TYPE sabaq_http_request_duration_seconds histogram');
    expect(sample(text, 'sabaq_http_requests_total{route="/api/courses/:id",method="GET",status="200"}')).toBe(2);
    expect(sample(text, 'sabaq_http_request_errors_total{route="/api/courses/:id",method="GET"}')).toBe(1);
    // 3 ms and 12 ms fall at or below 25 ms; 80 ms only from 100 ms on; +Inf has all three.
    expect(sample(text, 'sabaq_http_request_duration_seconds_bucket{route="/api/courses/:id",method="GET",le="0.025"}')).toBe(2);
    expect(sample(text, 'sabaq_http_request_duration_seconds_bucket{route="/api/courses/:id",method="GET",le="0.05"}')).toBe(2);
    expect(sample(text, 'sabaq_http_request_duration_seconds_bucket{route="/api/courses/:id",method="GET",le="0.1"}')).toBe(3);
    expect(sample(text, 'sabaq_http_request_duration_seconds_bucket{route="/api/courses/:id",method="GET",le="+Inf"}')).toBe(3);
    expect(sample(text, 'sabaq_http_request_duration_seconds_count{route="/api/courses/:id",method="GET"}')).toBe(3);
    expect(sample(text, 'sabaq_http_request_duration_seconds_sum{route="/api/courses/:id",method="GET"}')).toBeCloseTo(0.095, 6);
    expect(sample(text, 'sabaq_cache_requests_total{family="course",result="hit"}')).toBe(1);
    expect(sample(text, 'sabaq_ratelimit_decisions_total{policy="search",outcome="failed_open"}')).toBe(1);
    expect(sample(text, 'sabaq_db_query_duration_seconds_count{op="http",outcome="ok"}')).toBe(1);
    expect(text).toMatch(/^sabaq_metrics_isolate_info\{isolate="[0-9a-f]{8}",started="[^"]+"\} 1$/m);
  });

  it('derives queue depth from sent, acked and dead-lettered messages', () => {
    const r = new Registry();
    const m = new Metrics([r]);
    m.queueSent('reports', 5);
    m.job('reports', 120, 'ack', 40);
    m.job('reports', 90, 'retry');
    m.job('reports', 30, 'dead');
    m.dlq('reports-dlq');
    const text = r.render();
    expect(sample(text, 'sabaq_queue_depth{queue="reports"}')).toBe(3);
    expect(sample(text, 'sabaq_queue_jobs_total{queue="reports",outcome="retry"}')).toBe(1);
    expect(sample(text, 'sabaq_queue_message_age_seconds_count{queue="reports"}')).toBe(1);
    expect(sample(text, 'sabaq_queue_dlq_messages_total{queue="reports-dlq"}')).toBe(1);
  });

  it('escapes label values and folds label sets beyond the series cap into "other"', () => {
    const r = new Registry();
    const m = new Metrics([r]);
    m.cacheHit('a"b\\c\nd');
    for (let i = 0; i < MAX_SERIES + 10; i++) m.cacheMiss(`family-${i}`);
    const text = r.render();
    expect(text).toContain('family="a\\"b\\\\c\\nd"');
    expect(sample(text, 'sabaq_cache_requests_total{family="other",result="other"}')).toBe(11);
  });

  it('sends the same points to Analytics Engine: blob1 the metric, then the label values, double1 the value', () => {
    const points: { indexes?: string[]; blobs?: string[]; doubles?: number[] }[] = [];
    const dataset: AnalyticsEngineLike = { writeDataPoint: (p) => points.push(p) };
    const m = new Metrics([new AnalyticsEngineSink(dataset)]);
    m.request('/api/search', 'GET', 200, 250);
    expect(points).toEqual([
      { indexes: ['sabaq_http_requests_total'], blobs: ['sabaq_http_requests_total', '/api/search', 'GET', '200'], doubles: [1] },
      {
        indexes: ['sabaq_http_request_duration_seconds'],
        blobs: ['sabaq_http_request_duration_seconds', '/api/search', 'GET'],
        doubles: [0.25],
      },
    ]);
  });

  it('never fails the caller when Analytics Engine throws', () => {
    const m = new Metrics([
      new AnalyticsEngineSink({
        writeDataPoint: () => {
          throw new Error('quota');
        },
      }),
    ]);
    expect(() => m.cacheHit('course')).not.toThrow();
  });
});

describe('GET /api/metrics', () => {
  it('answers 401 without the token, with a wrong one, and with another scheme', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${token()}`]) {
      const res = await api('GET', '/api/metrics', { headers: authorization ? { authorization } : {} });
      expect(res.status, show(res)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.text).not.toContain('sabaq_http_requests_total');
    }
  });

  it('counts requests by route pattern, never by raw path, in Prometheus text', async () => {
    await api('GET', '/api/health');
    const id = crypto.randomUUID();
    await api('GET', `/api/courses/${id}`);
    await api('GET', `/api/no-such-route/${id}`);
    const res = await api('GET', '/api/metrics', { token: token() });
    expect(res.status, show(res)).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(sample(res.text, 'sabaq_http_requests_total{route="/api/health",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(res.text).toMatch(/sabaq_http_requests_total\{route="\/api\/courses\/:id",method="GET",status="\d{3}"\} \d+/);
    expect(res.text).toMatch(/sabaq_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+/);
    expect(res.text).not.toContain(id);
  });

  it('records the 401s it answers, like any other request', async () => {
    await api('GET', '/api/metrics');
    const res = await api('GET', '/api/metrics', { token: token() });
    expect(sample(res.text, 'sabaq_http_requests_total{route="/api/metrics",method="GET",status="401"}')).toBeGreaterThanOrEqual(1);
  });

  it('times Postgres round trips of the Neon HTTP driver', async () => {
    await api('GET', '/api/ready');
    const res = await api('GET', '/api/metrics', { token: token() });
    expect(sample(res.text, 'sabaq_db_query_duration_seconds_count{op="http",outcome="ok"}')).toBeGreaterThanOrEqual(1);
  });

  it('records cache hits and misses per key family, rate-limit decisions and Redis latency from real requests', async () => {
    const before = (await api('GET', '/api/metrics', { token: token() })).text;
    const q = `metrics-${crypto.randomUUID().slice(0, 8)}`;
    await api('GET', `/api/search?q=${q}`); // a miss: first time this query is seen
    await api('GET', `/api/search?q=${q}`); // a hit
    const after = (await api('GET', '/api/metrics', { token: token() })).text;
    const delta = (text: string, key: string) => (sample(after, key) ?? 0) - (sample(text, key) ?? 0);
    expect(delta(before, 'sabaq_cache_requests_total{family="search",result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(delta(before, 'sabaq_cache_requests_total{family="search",result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(delta(before, 'sabaq_ratelimit_decisions_total{policy="search",outcome="allowed"}')).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/sabaq_redis_command_duration_seconds_count\{op="[a-z]+",outcome="ok"\} \d+/);
  });
});

describe('recorders are passed, not remembered', () => {
  it('a database fetch hook records into the recorder it was given, and only there', async () => {
    const mine = new Registry();
    const other = new Registry();
    const fetchOk = timedDbFetch(new Metrics([mine]), async () => new Response('{}', { status: 200 }));
    await fetchOk('http://db.test/sql');
    expect(mine.entries('sabaq_db_query_duration_seconds').map((s) => s.labels)).toEqual([{ op: 'http', outcome: 'ok' }]);
    expect(other.entries('sabaq_db_query_duration_seconds')).toEqual([]);
  });
});
