/**
 * Runs one scenario under the open model and turns what happened into a result: offered vs
 * achieved rate, latency percentiles from the intended start, errors by status, and the
 * server's own view (its metrics before and after: request counts that must agree with ours,
 * cache hits and misses, database and Redis round trips).
 */
import type pg from 'pg';
import { LoadClient, type Outcome, type RequestSpec, type ClientStats } from './client.ts';
import type { LatencySummary } from './histogram.ts';
import { deltas, parsePrometheus, sumOf, type Sample } from './prometheus.ts';
import { createRng, weightedPicker, type Rng } from './rng.ts';
import { splitEndpoint, type Check, type MixEntry, type Scenario } from './scenario.ts';
import { now, runSchedule } from './scheduler.ts';
import { RunStats, type EndpointStats } from './stats.ts';
import { PhaseRecorder, type Second } from './phased.ts';

export interface RunOptions {
  baseUrl: string;
  /** Requests per second offered (sessions mode: requests per second across all sessions). */
  rate: number;
  durationMs: number;
  /** Unmeasured time at the same rate before the measured window (JIT, pools, caches). */
  rampMs?: number;
  concurrency: number;
  timeoutMs: number;
  seed: number;
  arrival?: 'constant' | 'poisson';
  /** `requests`: every arrival is one request of the mix; `sessions`: a visit with think times. */
  mode?: 'requests' | 'sessions';
  /** Sessions built from the mix: mean requests per visit. */
  sessionLength?: number;
  /** To read GET /api/metrics before and after. */
  metricsToken?: string;
  /** Counters read before and after the measured window (Redis commands, Postgres statements…); deltas go in the result. */
  probe?: () => Promise<Record<string, number>>;
  /** Waits until the server has worked off its backlog; the after-readings come then. Returns the wait in ms. */
  settle?: () => Promise<number>;
  log?: (line: string) => void;
}

export interface EndpointReport {
  endpoint: string;
  sent: number;
  ok: number;
  errors: number;
  errorsByStatus: Record<string, number>;
  /** Responses per second over the measured window. */
  achievedRate: number;
  latency: LatencySummary;
  edgeCache?: { hits: number; misses: number };
  samples: string[];
}

export interface ServerView {
  /** Requests the server counted during the run (GET /api/metrics excluded), refused ones included. */
  counted: number;
  /** Of those, refused by admission control (503 overloaded, or a stale copy) before the request counter. */
  refused: number;
  /** Responses the load generator received. */
  received: number;
  /** Client-side timeouts: the server may have answered after the client gave up. */
  timeouts: number;
  agree: boolean;
  /** The isolate changed during the run (workerd restarted it): its counters started again from zero. */
  isolateRestarted: boolean;
  byRoute: { endpoint: string; counted: number; received: number }[];
  /** Requests the server counted on routes the generator never recorded (explains a disagreement). */
  otherRoutes: Record<string, number>;
  cache: {
    hits: number;
    misses: number;
    errors: number;
    hitRate: number | null;
    byFamily: Record<string, { hits: number; misses: number }>;
  };
  rateLimit: Record<string, number>;
  db: { calls: number; meanMs: number | null };
  redis: { calls: number; meanMs: number | null };
  http5xx: number;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  mode: 'requests' | 'sessions';
  offeredRate: number;
  durationMs: number;
  scheduled: number;
  sent: number;
  received: number;
  achievedRate: number;
  ok: number;
  errors: number;
  /** Arrivals whose mix entry had nothing to send (no data for it). */
  skipped: number;
  total: EndpointReport;
  endpoints: EndpointReport[];
  client: ClientStats & { concurrency: number };
  /** How late the generator fired arrivals: big values mean the generator, not the server, was starved. */
  generatorLag: LatencySummary;
  thinkTimeMs: number;
  /** Little's law: users who, each thinking thinkTimeMs between requests, would offer this rate. */
  equivalentUsers: number;
  server?: ServerView;
  /** How long the server needed after the window to answer promptly again (RunOptions.settle). */
  recoveryMs: number;
  /** Deltas of RunOptions.probe over the measured window, and the same per received response. */
  backend?: Record<string, { total: number; perRequest: number | null }>;
  checks: Check[];
  /** The measured window second by second (by intended start; request mode): where a tail came from — a burst, a stall or saturation throughout. */
  seconds?: Second[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function report(e: EndpointStats, windowMs: number): EndpointReport {
  return {
    endpoint: e.endpoint,
    sent: e.sent,
    ok: e.ok,
    errors: e.errors,
    errorsByStatus: Object.fromEntries(e.errorStatuses),
    achievedRate: round((e.completed / windowMs) * 1000),
    latency: e.summary(),
    edgeCache: e.edgeHits + e.edgeMisses ? { hits: e.edgeHits, misses: e.edgeMisses } : undefined,
    samples: [...e.samples],
  };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function scrapeMetrics(baseUrl: string, token: string): Promise<Sample[] | undefined> {
  try {
    const res = await fetch(`${baseUrl}/api/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return undefined;
    return parsePrometheus(await res.text());
  } catch {
    return undefined;
  }
}

function serverView(before: Sample[], after: Sample[], stats: RunStats, uncounted: string[] = []): ServerView {
  // The bench's own control traffic (metrics scrapes, readiness polls) is not part of the run,
  // nor is the payment provider's webhook traffic (delivered through the queue whenever it
  // comes, possibly during a later scenario), nor the routes the scenario reaches outside the
  // recorded requests (Scenario.uncountedRoutes).
  const notCounted = new Set(['GET /api/metrics', 'GET /api/ready', 'POST /api/webhooks/payments', ...uncounted]);
  const notMetrics = (s: Sample) =>
    s.labels.route !== '/api/metrics' && s.labels.route !== '/api/ready' && !notCounted.has(`${s.labels.method} ${s.labels.route}`);
  const req = deltas(before, after, 'sabaq_http_requests_total').filter(notMetrics);
  // Requests admission control refused or answered from its stale copies never reach the
  // request counter, which runs after it: they are counted by family in sabaq_admission_total.
  // Hot answers are counted as requests of the route that made the copy (admission-gate.ts).
  const refused = deltas(before, after, 'sabaq_admission_total')
    .filter((s) => s.labels.outcome === 'shed' || s.labels.outcome === 'stale')
    .reduce((a, s) => a + s.value, 0);
  const counted = req.reduce((a, s) => a + s.value, 0) + refused;
  let received = 0;
  let timeouts = 0;
  const byRoute: ServerView['byRoute'] = [];
  for (const e of stats.byEndpoint.values()) {
    if (e.synthetic) continue;
    received += e.completed;
    timeouts += e.statuses.get('timeout') ?? 0;
    const [method, route] = splitEndpoint(e.endpoint);
    const c = req.filter((s) => s.labels.method === method && s.labels.route === route).reduce((a, s) => a + s.value, 0);
    byRoute.push({ endpoint: e.endpoint, counted: c, received: e.completed });
  }
  const recorded = new Set(byRoute.map((r) => r.endpoint));
  const otherRoutes: Record<string, number> = {};
  for (const s of req) {
    const key = `${s.labels.method} ${s.labels.route}`;
    if (s.value && !recorded.has(key)) otherRoutes[key] = (otherRoutes[key] ?? 0) + s.value;
  }
  const cache = deltas(before, after, 'sabaq_cache_requests_total');
  const byFamily: Record<string, { hits: number; misses: number }> = {};
  for (const s of cache) {
    const f = (byFamily[s.labels.family ?? ''] ??= { hits: 0, misses: 0 });
    if (s.labels.result === 'hit') f.hits += s.value;
    if (s.labels.result === 'miss') f.misses += s.value;
  }
  const hits = sumOf(cache, 'sabaq_cache_requests_total', { result: 'hit' });
  const misses = sumOf(cache, 'sabaq_cache_requests_total', { result: 'miss' });
  const errors = sumOf(cache, 'sabaq_cache_requests_total', { result: 'error' });
  const rl: Record<string, number> = {};
  for (const s of deltas(before, after, 'sabaq_ratelimit_decisions_total')) {
    if (s.value) rl[`${s.labels.policy}:${s.labels.outcome}`] = s.value;
  }
  const hist = (name: string) => {
    const count = deltas(before, after, `${name}_count`).reduce((a, s) => a + s.value, 0);
    const sum = deltas(before, after, `${name}_sum`).reduce((a, s) => a + s.value, 0);
    return { calls: count, meanMs: count ? round((sum / count) * 1000, 2) : null };
  };
  const isolate = (xs: Sample[]) => xs.find((x) => x.name === 'sabaq_metrics_isolate_info')?.labels.isolate;
  const isolateRestarted = isolate(before) !== isolate(after);
  return {
    counted,
    refused,
    received,
    timeouts,
    isolateRestarted,
    agree: !isolateRestarted && counted >= received && counted <= received + timeouts,
    byRoute,
    otherRoutes,
    cache: { hits, misses, errors, hitRate: hits + misses ? round(hits / (hits + misses), 3) : null, byFamily },
    rateLimit: rl,
    db: hist('sabaq_db_query_duration_seconds'),
    redis: hist('sabaq_redis_command_duration_seconds'),
    http5xx: deltas(before, after, 'sabaq_http_request_errors_total')
      .filter(notMetrics)
      .reduce((a, s) => a + s.value, 0),
  };
}

/** Sends the warm-up requests a few at a time, unrecorded. */
export async function warmUp(client: LoadClient, specs: RequestSpec[], parallel = 8): Promise<{ ok: number; failed: number }> {
  let i = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (i < specs.length) {
        const o = await client.send(specs[i++]!);
        if (o.ok) ok++;
        else failed++;
      }
    }),
  );
  return { ok, failed };
}

export async function runScenario<S>(scenario: Scenario<S>, state: S, opts: RunOptions, db?: pg.Pool): Promise<ScenarioResult> {
  const log = opts.log ?? (() => {});
  const mode = opts.mode ?? (scenario.mix ? 'requests' : 'sessions');
  const rng = createRng(opts.seed);
  const client = new LoadClient(opts.baseUrl, { concurrency: opts.concurrency, timeoutMs: opts.timeoutMs });
  const stats = new RunStats();
  const outcomes: Outcome[] = [];
  let measuring = false;
  const timeline = new PhaseRecorder();
  timeline.phase({ label: 'measured', rate: opts.rate, durationMs: opts.durationMs });
  let measuredFrom = 0;
  let skipped = 0;
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const record = (o: Outcome) => {
    if (!measuring) return;
    stats.record(o);
    if (scenario.keepOutcomes) outcomes.push(o);
  };
  const recordSynthetic = (endpoint: string, latencyMs: number, ok: boolean, status: number | 'timeout' = ok ? 200 : 'timeout') =>
    record({ spec: { endpoint, method: 'GET', path: endpoint, synthetic: true }, status, ok, latencyMs, queuedMs: 0 });

  const entries = scenario.mix ?? [];
  const pickEntry = entries.length ? weightedPicker(entries.map((e) => ({ weight: e.weight, item: e }))) : undefined;
  const buildFrom = (entry: MixEntry<S>, r: Rng): RequestSpec | null => {
    const built = entry.build(state, r);
    if (!built) return null;
    const [method] = splitEndpoint(entry.endpoint);
    return { ...built, endpoint: entry.endpoint, method: method as RequestSpec['method'], ok: built.ok ?? entry.ok };
  };
  const think = () => sleep(Math.min(rng.exp(scenario.thinkTimeMs), scenario.thinkTimeMs * 5));

  const onArrival = (intended: number) => {
    if (mode === 'requests') {
      const entry = pickEntry!(rng);
      const spec = buildFrom(entry, rng);
      if (!spec) {
        if (measuring) skipped++;
        return;
      }
      track(
        client.send(spec, intended).then((o) => {
          if (measuring && intended >= measuredFrom) timeline.record(Math.floor((intended - measuredFrom) / 1000), 'measured', o);
          record(o);
        }),
      );
      return;
    }
    // A session: one user's visit. Its first request is due at the arrival; each later one
    // after a think time, counted from when the user asks.
    const session = async () => {
      let due = intended;
      let lastSent = intended;
      if (scenario.flow) {
        await scenario.flow({
          state,
          rng,
          send: async (spec) => {
            // A request is due when the flow asks for it, unless a think time set it earlier.
            const o = await client.send(spec, Math.max(due, lastSent));
            lastSent = now();
            record(o);
            // Without a think time in between, the next request is due as soon as this one answered.
            due = now();
            return o;
          },
          think: async () => {
            await think();
            due = now();
          },
          wait: async (ms) => {
            await sleep(ms);
            due = now();
          },
          record: recordSynthetic,
          now,
        });
        return;
      }
      const length = Math.max(1, Math.round(rng.exp(opts.sessionLength ?? 5)));
      for (let i = 0; i < length; i++) {
        if (i > 0) {
          await think();
          due = now();
        }
        const spec = buildFrom(pickEntry!(rng), rng);
        if (spec) record(await client.send(spec, due));
      }
    };
    track(session());
  };

  const sessionRate = mode === 'sessions' && !scenario.flow ? opts.rate / (opts.sessionLength ?? 5) : opts.rate;
  try {
    if (opts.rampMs) {
      log(`  ramp ${opts.rampMs / 1000} s at ${opts.rate}/s (not measured)…`);
      await runSchedule({ ratePerSec: sessionRate, durationMs: opts.rampMs, arrival: opts.arrival, rng, onArrival });
      await Promise.allSettled([...pending]);
    }
    const before = opts.metricsToken ? await scrapeMetrics(opts.baseUrl, opts.metricsToken) : undefined;
    const probeBefore = opts.probe ? await opts.probe().catch(() => undefined) : undefined;
    measuring = true;
    measuredFrom = now();
    Object.assign(client.stats, { capHits: 0, maxQueued: 0, maxInFlight: 0, dropped: 0 });
    log(`  measuring ${opts.durationMs / 1000} s at ${opts.rate}/s (${mode})…`);
    const window = new AbortController();
    const beside = scenario
      .during?.({ state, rng: createRng(opts.seed + 1), record: recordSynthetic, now, signal: window.signal })
      .catch((err: unknown) => log(`  ${scenario.name}: work beside the arrivals failed: ${String(err)}`));
    const schedule = await runSchedule({ ratePerSec: sessionRate, durationMs: opts.durationMs, arrival: opts.arrival, rng, onArrival });
    window.abort();
    await Promise.allSettled([...pending, ...(beside ? [beside] : [])]);
    const windowMs = Math.max(opts.durationMs, now() - schedule.startedAt);
    measuring = false;
    // Let the server finish its backlog and the bookkeeping of the last requests (waitUntil)
    // before reading its counters: an overloaded server cannot even answer the scrape.
    let recoveryMs = 0;
    if (opts.settle) recoveryMs = await opts.settle();
    else await sleep(200);
    const after = opts.metricsToken ? await scrapeMetrics(opts.baseUrl, opts.metricsToken) : undefined;
    const probeAfter = opts.probe && probeBefore ? await opts.probe().catch(() => undefined) : undefined;
    let backend: ScenarioResult['backend'];
    if (probeBefore && probeAfter) {
      backend = {};
      for (const [k, v] of Object.entries(probeAfter)) {
        const total = v - (probeBefore[k] ?? 0);
        backend[k] = { total, perRequest: stats.total.completed ? round(total / stats.total.completed, 2) : null };
      }
    }

    const total = report(stats.total, windowMs);
    const checks = scenario.verify && db ? await scenario.verify(state, outcomes, db) : [];
    return {
      scenario: scenario.name,
      title: scenario.title,
      mode,
      offeredRate: opts.rate,
      durationMs: opts.durationMs,
      scheduled: schedule.arrivals,
      sent: stats.total.sent,
      received: stats.total.completed,
      achievedRate: round((stats.total.completed / windowMs) * 1000),
      ok: stats.total.ok,
      errors: stats.total.errors,
      skipped,
      total,
      endpoints: [...stats.byEndpoint.values()].map((e) => report(e, windowMs)).sort((a, b) => b.sent - a.sent),
      client: { ...client.stats, concurrency: opts.concurrency },
      generatorLag: schedule.lag.summary(),
      thinkTimeMs: scenario.thinkTimeMs,
      equivalentUsers: Math.round((opts.rate * (scenario.thinkTimeMs + (total.latency.mean || 0))) / 1000),
      server: before && after ? serverView(before, after, stats, scenario.uncountedRoutes) : undefined,
      recoveryMs,
      backend,
      checks,
      ...(mode === 'requests' ? { seconds: timeline.result().seconds } : {}),
    };
  } finally {
    await client.close();
  }
}

/**
 * A closed loop (N connections, each sending the next request as soon as the last answered),
 * for one thing only: the most a runtime can serve — the ceiling every open-model result is
 * compared with. Its latencies are not comparable with the open model's.
 */
export async function runClosed(opts: { baseUrl: string; path: string; connections: number; durationMs: number; timeoutMs?: number }) {
  const client = new LoadClient(opts.baseUrl, { concurrency: opts.connections, timeoutMs: opts.timeoutMs ?? 10_000 });
  const stats = new RunStats();
  const spec: RequestSpec = { endpoint: `GET ${opts.path}`, method: 'GET', path: opts.path };
  try {
    // Warm the connections and the isolate first.
    await Promise.all(Array.from({ length: opts.connections }, () => client.send(spec)));
    const started = now();
    const end = started + opts.durationMs;
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (now() < end) stats.record(await client.send(spec));
      }),
    );
    const elapsed = now() - started;
    return {
      path: opts.path,
      connections: opts.connections,
      durationMs: Math.round(elapsed),
      requests: stats.total.sent,
      errors: stats.total.errors,
      rate: round((stats.total.completed / elapsed) * 1000),
      latency: stats.total.summary(),
    };
  } finally {
    await client.close();
  }
}

export type ClosedResult = Awaited<ReturnType<typeof runClosed>>;
