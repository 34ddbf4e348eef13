import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { METRICS, registry } from '../lib/metrics.ts';

/*
 * Operations rollups for the admin dashboard: each isolate adds what its metrics registry
 * counted since its last flush into per-minute rows of ops_minute_stats (route families) and
 * queue_minute_stats (queues, with a sample of the report backlog), at most once a minute,
 * from the request path (deferred after the response) and the minute cron. Isolates add, never overwrite,
 * so the rows sum every isolate's traffic; the charts read rows, never logs.
 *
 * Module scope holds only numbers (the last flushed counter values), never a promise or an
 * I/O object: the write itself belongs to the request that decided to flush.
 */

export const FLUSH_EVERY_MS = 60_000;
const CACHE_FAMILY = '_cache';

interface Row {
  family: string;
  requests: number;
  errors: number;
  latencyMsSum: number;
  p95Ms: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimited: number;
}

let lastFlushAt = 0;
const lastSeen = new Map<string, number>();

/** `/api/courses/:id` → `courses`; site pages and assets → `site`. */
export function routeFamily(route: string): string {
  if (!route.startsWith('/api/')) return route === 'unmatched' ? 'unmatched' : 'site';
  return route.slice(5).split('/')[0] || 'api';
}

/** Counter increase since the last flush (a reset registry restarts from zero). */
function delta(key: string, value: number): number {
  const before = lastSeen.get(key) ?? 0;
  lastSeen.set(key, value);
  return value >= before ? value - before : value;
}

/** What the registry counted since the last call, per route family. Synchronous: two requests never take the same deltas. */
export function takeDeltas(): Row[] {
  const rows = new Map<string, Row & { buckets: number[] }>();
  const bounds = METRICS.sabaq_http_request_duration_seconds.buckets;
  const row = (family: string) => {
    let r = rows.get(family);
    if (!r) {
      r = {
        family,
        requests: 0,
        errors: 0,
        latencyMsSum: 0,
        p95Ms: 0,
        cacheHits: 0,
        cacheMisses: 0,
        rateLimited: 0,
        buckets: bounds.map(() => 0),
      };
      rows.set(family, r);
    }
    return r;
  };
  for (const s of registry.entries('sabaq_http_requests_total')) {
    const d = delta(`req\u0001${s.labels.route}\u0001${s.labels.method}\u0001${s.labels.status}`, s.value);
    if (!d) continue;
    const r = row(routeFamily(s.labels.route ?? ''));
    const status = Number(s.labels.status);
    r.requests += d;
    if (status >= 500) r.errors += d;
    if (status === 429) r.rateLimited += d;
  }
  for (const s of registry.entries('sabaq_http_request_duration_seconds')) {
    const key = `lat\u0001${s.labels.route}\u0001${s.labels.method}`;
    const n = delta(`${key}\u0001count`, s.count ?? 0);
    const sum = delta(`${key}\u0001sum`, Math.round((s.sum ?? 0) * 1000));
    const bucketDeltas = (s.buckets ?? []).map((b, i) => delta(`${key}\u0001b${i}`, b));
    if (!n) continue;
    const r = row(routeFamily(s.labels.route ?? ''));
    r.latencyMsSum += sum;
    bucketDeltas.forEach((b, i) => {
      r.buckets[i]! += b;
    });
  }
  for (const s of registry.entries('sabaq_cache_requests_total')) {
    const d = delta(`cache\u0001${s.labels.family}\u0001${s.labels.result}`, s.value);
    if (!d) continue;
    const r = row(CACHE_FAMILY);
    if (s.labels.result === 'hit') r.cacheHits += d;
    else r.cacheMisses += d;
  }
  return [...rows.values()].map(({ buckets, ...r }) => {
    // p95 as the upper bound of the bucket holding the 95th percentile (what the histogram knows).
    const total = buckets.reduce((a, b) => a + b, 0);
    let seen = 0;
    let p95 = 0;
    for (let i = 0; i < buckets.length && total; i++) {
      seen += buckets[i]!;
      if (seen >= total * 0.95) {
        p95 = Math.round(bounds[i]! * 1000);
        break;
      }
    }
    if (total && !p95) p95 = Math.round(bounds[bounds.length - 1]! * 1000);
    return { ...r, p95Ms: p95 };
  });
}

export interface QueueRow {
  queue: string;
  handled: number;
  waitMsSum: number;
  deadLettered: number;
}

/** What the queue metrics counted since the last call, per queue (handled messages and their wait; dead letters received). */
export function takeQueueDeltas(): QueueRow[] {
  const rows = new Map<string, QueueRow>();
  const row = (queue: string) => {
    let r = rows.get(queue);
    if (!r) rows.set(queue, (r = { queue, handled: 0, waitMsSum: 0, deadLettered: 0 }));
    return r;
  };
  for (const s of registry.entries('sabaq_queue_message_age_seconds')) {
    const queue = s.labels.queue ?? '';
    const n = delta(`qage\u0001${queue}\u0001count`, s.count ?? 0);
    const sum = delta(`qage\u0001${queue}\u0001sum`, Math.round((s.sum ?? 0) * 1000));
    if (!n) continue;
    const r = row(queue);
    r.handled += n;
    r.waitMsSum += sum;
  }
  for (const s of registry.entries('sabaq_queue_dlq_messages_total')) {
    const queue = s.labels.queue ?? '';
    const d = delta(`dlq\u0001${queue}`, s.value);
    if (d) row(queue).deadLettered += d;
  }
  return [...rows.values()];
}

const minuteOf = (now: number) => new Date(Math.floor(now / 60_000) * 60_000);

/**
 * One flush, one round trip: the route-family rows (when anything was counted) as a writable
 * CTE in front of the queues' minute (always written: it samples the backlog).
 */
async function flush(db: Database, now: number): Promise<void> {
  const rows = takeDeltas();
  const queues = takeQueueDeltas();
  const minute = minuteOf(now);
  const ops = rows.length ? sql`with ops as (${opsUpsert(minute, rows)}) ` : sql``;
  await db.db.execute(sql`${ops}${queuesUpsert(minute, new Date(now), queues)}`);
}

/**
 * Called once per request after it was counted: flushes when this isolate's last flush is a
 * minute old. The database comes as a getter: building a client costs more than a whole
 * health check, so requests that need none (most of them, in this minute) never build one.
 */
export function maybeFlushOps(db: () => Database | undefined, defer: (p: Promise<unknown>) => void, now = Date.now(), force = false): void {
  if (!force && now - lastFlushAt < FLUSH_EVERY_MS) return;
  const client = db();
  if (!client) return;
  lastFlushAt = now;
  defer(flush(client, now));
}

/**
 * The admin's read (and the minute cron): this isolate's pending counts go in first, so its
 * own latest minute is complete and the backlog sample is current.
 */
export async function flushOpsNow(db: Database, now = Date.now()): Promise<void> {
  lastFlushAt = now;
  await flush(db, now);
}

/** The report queue, whose backlog our own rows show (workers/reports: queued or rendering). */
export const SAMPLED_QUEUE = 'sabaq-reports';

/**
 * The report queue's backlog sampled from the unfinished reports (a partial
 * index holds only those) — how many, and the age of the oldest message (`enqueued_at`, set
 * when its message was sent) — plus the queue deltas, merged per queue. Depth and age keep the
 * minute's highest sample; counts add up across isolates.
 */
function queuesUpsert(minute: Date, now: Date, rows: QueueRow[]): SQL {
  const deltas = rows.map(
    (r) => sql` union all select ${r.queue}::text, null::int, null::int, ${r.handled}::int, ${r.waitMsSum}::bigint, ${r.deadLettered}::int`,
  );
  return sql`
    insert into queue_minute_stats as q (minute, queue, depth, oldest_age_sec, handled, wait_ms_sum, dead_lettered)
    select ${minute.toISOString()}::timestamptz, queue, max(depth), max(age), sum(handled), sum(wait), sum(dead)
    from (
      select ${SAMPLED_QUEUE}::text as queue, count(*)::int as depth,
        floor(extract(epoch from ${now.toISOString()}::timestamptz - min(coalesce(enqueued_at, updated_at))))::int as age,
        0::int as handled, 0::bigint as wait, 0::int as dead
      from reports where status in ('queued', 'rendering')${sql.join(deltas, sql``)}
    ) x group by queue
    on conflict (minute, queue) do update set depth = greatest(q.depth, excluded.depth),
      oldest_age_sec = greatest(q.oldest_age_sec, excluded.oldest_age_sec), handled = q.handled + excluded.handled,
      wait_ms_sum = q.wait_ms_sum + excluded.wait_ms_sum, dead_lettered = q.dead_lettered + excluded.dead_lettered`;
}

function opsUpsert(minute: Date, rows: Row[]): SQL {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${minute.toISOString()}::timestamptz, ${r.family}, ${r.requests}, ${r.errors}, ${r.latencyMsSum}, ${r.p95Ms}, ${r.cacheHits}, ${r.cacheMisses}, ${r.rateLimited})`,
    ),
    sql`, `,
  );
  return sql`
    insert into ops_minute_stats as o (minute, family, requests, errors, latency_ms_sum, p95_ms, cache_hits, cache_misses, rate_limited)
    values ${values}
    on conflict (minute, family) do update set requests = o.requests + excluded.requests, errors = o.errors + excluded.errors,
      latency_ms_sum = o.latency_ms_sum + excluded.latency_ms_sum, p95_ms = greatest(o.p95_ms, excluded.p95_ms),
      cache_hits = o.cache_hits + excluded.cache_hits, cache_misses = o.cache_misses + excluded.cache_misses,
      rate_limited = o.rate_limited + excluded.rate_limited`;
}
