/**
 * The bench: the runtime's ceiling (a hello-world worker in the same workerd/Miniflare setup,
 * measured in the same run), /api/health through the app, then every budget scenario of
 * SPEC.md under the open model, each judged against its budget. Used by `npm run bench`,
 * `npm run bench:smoke` and the smoke test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { BUDGETS, EXTRA, type Budget } from './budgets.ts';
import { LoadClient } from './lib/client.ts';
import type { LatencySummary } from './lib/histogram.ts';
import { createRng } from './lib/rng.ts';
import { secondsToRecover, runPhased, type Phase, type PhasedResult } from './lib/phased.ts';
import { deltas } from './lib/prometheus.ts';
import { runClosed, runScenario, scrapeMetrics, warmUp, type ClosedResult, type ScenarioResult } from './lib/run.ts';
import { openApiPath, splitEndpoint, type Scenario, type SetupContext } from './lib/scenario.ts';
import { assessmentScenario } from './scenarios/assessment.ts';
import { dashboardScenario } from './scenarios/dashboard.ts';
import { bookingRushScenario } from './scenarios/booking-rush.ts';
import { enrollmentScenario } from './scenarios/enrollment.ts';
import { learnerScenario } from './scenarios/learner.ts';
import { loginScenario } from './scenarios/login.ts';
import { liveGameScenario } from './scenarios/live-game.ts';
import { reportJobsScenario } from './scenarios/report-jobs.ts';
import { searchColdScenario } from './scenarios/search-cold.ts';
import { teacherScenario } from './scenarios/teacher.ts';
import { visitorScenario } from './scenarios/visitor.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SCENARIOS: Record<string, Scenario<any>> = Object.fromEntries(
  [
    visitorScenario,
    learnerScenario,
    searchColdScenario,
    enrollmentScenario,
    liveGameScenario,
    reportJobsScenario,
    teacherScenario,
    loginScenario,
    assessmentScenario,
    dashboardScenario,
    bookingRushScenario,
  ].map((s) => [s.name, s]),
);

export interface BenchTarget {
  /** The app (serve:prod). */
  url: string;
  /** The hello-world worker of the same runtime. */
  helloUrl?: string;
  databaseUrl: string;
  metricsToken: string;
  /** The local Upstash endpoint, to make caches cold on purpose. */
  upstash?: { url: string; token: string };
  /** The serve:prod process when it runs on this machine: CPU per component is read from /proc. */
  serverPid?: number;
  bundleBytes?: number;
}

export interface BenchOptions {
  target: BenchTarget;
  smoke?: boolean;
  /** Only these scenarios. */
  only?: string[];
  /** Also the scenarios without a budget (teacher, assessment). */
  all?: boolean;
  /** Measured seconds per request scenario (default 30; smoke 3). */
  durationMs?: number;
  /** Multiplies every offered rate (explore below or above the budget). */
  rateScale?: number;
  concurrency?: number;
  seed?: number;
  /** After each budget run, find the highest rate that meets the budget (steps of 10 s). */
  knee?: boolean;
  log?: (line: string) => void;
}

export type Verdict = 'PASS' | 'FAIL' | 'SKIP' | 'INFO';

export interface PhasedEntry {
  knee: number;
  budgetP99Ms: number;
  result: PhasedResult;
  /** overload: seconds after each overload phase until back within budget (null: not within the run). */
  recovery?: { after: string; seconds: number | null }[];
  /** cold-start: the last 20 s together, and the first second from which the rest met the budget. */
  lastWindow?: { p99: number; ok: number; failed: number };
  settledAfterS?: number | null;
  /** Admission decisions the server counted (sabaq_admission_total deltas by outcome). */
  admission?: Record<string, number>;
  isolateRestarted?: boolean;
  /** CPU ms per received response, per process. */
  cpuPerRequest?: Record<string, number>;
}

export interface ScenarioEntry {
  scenario: string;
  title: string;
  budget?: Budget;
  verdict: Verdict;
  reasons: string[];
  /** Routes of the mix missing from the OpenAPI document (not built yet). */
  missingRoutes: string[];
  result?: ScenarioResult;
  /** Achieved rate as a share of the hello-world ceiling. */
  ceilingShare?: number;
  setupMs?: number;
  /** Time waited for the server to be idle (the previous scenario's background work) before measuring. */
  quietMs?: number;
  /** Time until /api/ready answered promptly again after the run. */
  recoveryMs?: number;
  /** With --knee: short runs at rising rates; the highest rate that still met the budget. */
  /** cold-start / overload: the phases, per-second curve and what they show. */
  phased?: PhasedEntry;
  knee?: {
    maxPassingRate: number | null;
    steps: { rate: number; achieved: number; p50: number; p99: number; errors: number; pass: boolean; reasons: string[] }[];
  };
}

export interface BenchReport {
  kind: 'bench' | 'smoke';
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage: number[] };
  target: { url: string; bundleMb?: number };
  data: Record<string, number>;
  ceilings: {
    hello?: ClosedResult;
    health?: ClosedResult;
    healthOpen?: { rate: number; achieved: number; latency: LatencySummary; errors: number };
  };
  scenarios: ScenarioEntry[];
  passed: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function openApiRoutes(baseUrl: string): Promise<Set<string> | undefined> {
  try {
    const res = await fetch(`${baseUrl}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    const doc = (await res.json()) as { paths?: Record<string, Record<string, unknown>> };
    const out = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(ops)) out.add(`${m.toUpperCase()} ${path}`);
    return out;
  } catch {
    return undefined;
  }
}

async function seededCounts(db: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'users',
    'courses',
    'modules',
    'lessons',
    'enrollments',
    'lesson_progress',
    'reviews',
    'favorites',
    'notifications',
    'results',
    'payments',
  ]) {
    try {
      // Planner estimates after ANALYZE: instant, and exact enough for a report header.
      const { rows } = await db.query<{ n: string | null }>(`select reltuples::bigint as n from pg_class where oid = to_regclass($1)`, [
        `public.${t}`,
      ]);
      const n = Number(rows[0]?.n ?? -1);
      if (n >= 0) out[t] = n;
    } catch {
      // table not there
    }
  }
  return out;
}

/** Decides PASS/FAIL of a result against its budget; every reason is spelled out. */
export function judge(budget: Budget | undefined, r: ScenarioResult, missing: string[]): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  if (missing.length) reasons.push(`not built: ${missing.join(', ')}`);
  if (r.server && !r.server.agree && !r.server.isolateRestarted)
    reasons.push(`server counted ${r.server.counted} requests, the load generator received ${r.server.received}`);
  if (r.server?.isolateRestarted) reasons.push('the Worker isolate was restarted during the run');
  if (!budget) return { verdict: 'INFO', reasons };
  const gated = budget.latencyOf ? r.endpoints.find((e) => e.endpoint === budget.latencyOf) : r.total;
  const lat = gated?.latency;
  if (!r.sent) reasons.push('nothing was sent');
  if (lat && budget.p99Ms !== undefined && lat.p99 >= budget.p99Ms) reasons.push(`p99 ${lat.p99} ms ≥ ${budget.p99Ms} ms`);
  if (lat && budget.p95Ms !== undefined && lat.p95 >= budget.p95Ms) reasons.push(`p95 ${lat.p95} ms ≥ ${budget.p95Ms} ms`);
  for (const also of budget.alsoLatency ?? []) {
    const e = r.endpoints.find((x) => x.endpoint === also.of);
    if (!e?.latency.count) reasons.push(`${also.of}: nothing measured`);
    else if (e.latency.p95 >= also.p95Ms) reasons.push(`${also.of}: p95 ${e.latency.p95} ms ≥ ${also.p95Ms} ms`);
  }
  const errs = gated ?? r.total;
  if (budget.zeroErrors && errs.errors > 0)
    reasons.push(
      `${errs.errors} errors (${Object.entries(errs.errorsByStatus)
        .map(([s, n]) => `${s}×${n}`)
        .join(', ')})`,
    );
  const jobs = r.endpoints.filter((e) => e.endpoint.startsWith('job:'));
  for (const j of jobs)
    if (j.errors)
      reasons.push(
        `${j.endpoint}: ${j.errors} not done (${Object.entries(j.errorsByStatus)
          .map(([s, n]) => `${s}×${n}`)
          .join(', ')})`,
      );
  if (r.mode === 'requests' && r.achievedRate < r.offeredRate * 0.95)
    reasons.push(`achieved ${r.achievedRate}/s < 95 % of the offered ${r.offeredRate}/s`);
  if (budget.checks) for (const c of r.checks) if (!c.ok) reasons.push(`${c.name}: ${c.detail}`);
  return { verdict: reasons.length ? 'FAIL' : 'PASS', reasons };
}

/** A `--scenario` name that names nothing: the bench must not pass by running no scenario at all. */
export class UnknownScenarioError extends Error {
  constructor(readonly names: string[]) {
    super(
      `${names.length ? `unknown scenario${names.length > 1 ? 's' : ''} ${names.map((n) => `'${n}'`).join(', ')}` : '--scenario names no scenario'}; known: ${knownScenarioNames().join(', ')}`,
    );
    this.name = 'UnknownScenarioError';
  }
}

/** Every name `--scenario` accepts. */
export function knownScenarioNames(): string[] {
  return [...new Set([...BUDGETS.map((b) => b.scenario), ...EXTRA.map((e) => e.scenario), ...Object.keys(SCENARIOS), ...PHASED_RUNS])];
}

/** Runs of the visitor mix at changing rates (load/lib/phased.ts), run when named or with --all. */
export const PHASED_RUNS = ['cold-start', 'overload'] as const;
export type PhasedRunName = (typeof PHASED_RUNS)[number];

export function plannedPhasedRuns(opts: Pick<BenchOptions, 'only' | 'all'>): PhasedRunName[] {
  return PHASED_RUNS.filter((n) => (opts.only ? opts.only.includes(n) : Boolean(opts.all)));
}

export interface PlannedScenario {
  name: string;
  budget?: Budget;
  rate: number;
  mode?: 'requests' | 'sessions';
}

/** The scenarios a run will measure, in order; throws UnknownScenarioError for a name that is not one, or when nothing would run. */
export function planScenarios(opts: Pick<BenchOptions, 'only' | 'all'>): PlannedScenario[] {
  const only = opts.only;
  if (only) {
    const known = new Set(knownScenarioNames());
    const unknown = only.filter((n) => !known.has(n));
    if (unknown.length || only.length === 0) throw new UnknownScenarioError(unknown);
  }
  const plan: PlannedScenario[] = [
    ...BUDGETS.map((b) => ({ name: b.scenario, budget: b, rate: b.rate })),
    ...(opts.all || only ? EXTRA.map((e) => ({ name: e.scenario, rate: e.rate, mode: e.mode })) : []),
  ].filter((p) => !only || only.includes(p.name));
  return plan;
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  // Before anything is measured: a misspelt name fails the run instead of passing it empty.
  planScenarios(opts);
  const log = opts.log ?? (() => {});
  const smoke = Boolean(opts.smoke);
  const started = new Date();
  const seed = opts.seed ?? 20261122;
  const rateScale = opts.rateScale ?? 1;
  const concurrency = opts.concurrency ?? 512;
  const durationMs = opts.durationMs ?? (smoke ? 3000 : 30_000);
  const { target } = opts;
  const db = new pg.Pool({ connectionString: target.databaseUrl, max: 4 });
  db.on('error', () => {});
  const cpus = os.cpus();
  const report: BenchReport = {
    kind: smoke ? 'smoke' : 'bench',
    startedAt: started.toISOString(),
    finishedAt: '',
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? '?',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    target: { url: target.url, bundleMb: target.bundleBytes ? Math.round((target.bundleBytes / 2 ** 20) * 10) / 10 : undefined },
    data: {},
    ceilings: {},
    scenarios: [],
    passed: true,
  };
  try {
    report.data = await seededCounts(db);
    log(
      `data: ${Object.entries(report.data)
        .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
        .join(', ')}`,
    );

    // --- the runtime's ceiling, and the app's cheapest route --------------------------------
    const closedMs = smoke ? 1000 : 10_000;
    if (target.helloUrl) {
      log(`hello-world ceiling (closed loop, 50 connections, ${closedMs / 1000} s)…`);
      report.ceilings.hello = await runClosed({ baseUrl: target.helloUrl, path: '/', connections: 50, durationMs: closedMs });
      log(`  ${report.ceilings.hello.rate} req/s, p99 ${report.ceilings.hello.latency.p99} ms`);
    }
    log(`/api/health ceiling (closed loop, 50 connections, ${closedMs / 1000} s)…`);
    report.ceilings.health = await runClosed({ baseUrl: target.url, path: '/api/health', connections: 50, durationMs: closedMs });
    log(`  ${report.ceilings.health.rate} req/s, p99 ${report.ceilings.health.latency.p99} ms`);

    // --- scenarios ------------------------------------------------------------------------
    const routes = await openApiRoutes(target.url);
    const plan = planScenarios(opts);

    const setupClient = new LoadClient(target.url, { concurrency: 16, timeoutMs: 30_000 });
    const prepared = new Map<string, { state: unknown; warm: RequestSpecLike[] }>();
    try {
      for (const p of plan) {
        const scenario = SCENARIOS[p.name];
        if (!scenario) throw new Error(`unknown scenario ${p.name}`);
        log(`${scenario.name}: ${scenario.title}`);
        const entry: ScenarioEntry = {
          scenario: scenario.name,
          title: scenario.title,
          budget: p.budget,
          verdict: 'SKIP',
          reasons: [],
          missingRoutes: [],
        };
        report.scenarios.push(entry);
        const rng = createRng(seed);
        const ctx: SetupContext = {
          baseUrl: target.url,
          db,
          client: setupClient,
          rng,
          smoke,
          // 100.64.0.0/10 (shared address space): one address per simulated visitor.
          ip: (n: number) => `100.${64 + ((n >>> 16) & 63)}.${(n >>> 8) & 255}.${n & 255}`,
          log,
        };
        const t0 = Date.now();
        let state: unknown;
        try {
          if (scenario.name === 'search-cold' && target.upstash) await bumpCatalogGeneration(target.upstash);
          state = await scenario.setup(ctx);
        } catch (err) {
          entry.reasons.push(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
          entry.verdict = p.budget ? 'FAIL' : 'INFO';
          log(`  setup failed: ${entry.reasons[0]}`);
          continue;
        }
        entry.setupMs = Date.now() - t0;
        const why = scenario.unavailable?.(state);
        if (why) {
          entry.reasons.push(why);
          log(`  skipped: ${why}`);
          continue;
        }
        if (routes)
          entry.missingRoutes = (scenario.mix ?? []).map((m) => m.endpoint).filter((e) => e.includes('/api/') && !routes.has(toOpenApi(e)));
        if (entry.missingRoutes.length) log(`  not built yet: ${entry.missingRoutes.join(', ')}`);
        const warm = scenario.warmup?.(state, rng) ?? [];
        prepared.set(scenario.name, { state, warm });
        if (warm.length) {
          const specs = smoke ? warm.slice(0, 50) : warm;
          const w = await warmUp(setupClient, specs);
          // On two shared cores the cold loads of the first pass can starve Redis calls past their
          // time budget, leaving entries unwritten: let the server settle, then fill what is missing.
          await settle(target.url, smoke ? 10_000 : 60_000);
          const again = smoke ? w : await warmUp(setupClient, specs);
          log(`  warm-up: ${w.ok} ok, ${w.failed} failed; second pass ${again.ok} ok, ${again.failed} failed`);
        }
        if (!smoke) {
          const q = await quiet(target.serverPid, 90_000);
          entry.quietMs = q.ms;
          if (!q.quiet)
            log(
              `  the server was still busy after ${(q.ms / 1000).toFixed(0)} s (${Math.round(q.lastShare * 100)} % of a core): measuring anyway`,
            );
          else if (q.ms > 3000) log(`  waited ${(q.ms / 1000).toFixed(0)} s for the server's background work to finish`);
        }
        const flow = Boolean(scenario.flow);
        const rate = Math.max(1, Math.round((smoke ? Math.min(5, p.rate) : p.rate) * rateScale));
        const result = await runScenario(
          scenario,
          state,
          {
            baseUrl: target.url,
            rate,
            durationMs:
              flow && p.budget?.durationMs ? (smoke ? Math.min(durationMs, p.budget.durationMs) : p.budget.durationMs) : durationMs,
            rampMs: smoke || flow ? 0 : 5000,
            concurrency,
            timeoutMs: flow ? 60_000 : 10_000,
            seed: scenario.name === 'enrollment' || scenario.name === 'search-cold' ? Date.now() : seed,
            mode: p.mode,
            metricsToken: target.metricsToken,
            settle: () => settle(target.url, smoke ? 10_000 : 180_000),
            probe: async () => ({
              ...(await backendCounters(db, target.upstash)),
              ...(target.serverPid && process.platform === 'linux' ? processCpu(target.serverPid) : {}),
              'cpu ms load generator': (process.cpuUsage().user + process.cpuUsage().system) / 1000,
            }),
            log,
          },
          db,
        );
        entry.result = result;
        if (report.ceilings.hello?.rate) entry.ceilingShare = Math.round((result.achievedRate / report.ceilings.hello.rate) * 1000) / 1000;
        const j = judge(p.budget, result, entry.missingRoutes);
        entry.verdict = smoke ? smokeVerdict(result, j.reasons) : j.verdict;
        entry.reasons.push(...j.reasons);
        log(
          `  ${entry.verdict}: achieved ${result.achievedRate}/s of ${result.offeredRate}/s, p50 ${result.total.latency.p50} ms, p99 ${result.total.latency.p99} ms, ` +
            `errors ${result.errors}${entry.reasons.length ? ` — ${entry.reasons.join('; ')}` : ''}`,
        );
        // An overloaded server keeps working off its backlog after the load stops: runScenario
        // waited until it answered promptly again, so one scenario's overload does not poison the next.
        entry.recoveryMs = result.recoveryMs;
        if (entry.recoveryMs > 5000) log(`  server back to normal after ${(entry.recoveryMs / 1000).toFixed(1)} s`);

        if (opts.knee && p.budget && result.mode === 'requests' && !smoke) {
          const knee: NonNullable<ScenarioEntry['knee']> = { maxPassingRate: null, steps: [] };
          entry.knee = knee;
          knee.maxPassingRate = await searchKnee(
            p.budget.rate,
            async (stepRate) => {
              log(`  knee: ${stepRate}/s…`);
              await quiet(target.serverPid, 60_000);
              if (target.upstash) await forgetRateLimits(target.upstash);
              // Warm caches again: TTLs ran out during the previous runs.
              if (warm.length) await warmUp(setupClient, warm, 16);
              const k = await runScenario(
                scenario,
                state,
                {
                  baseUrl: target.url,
                  rate: stepRate,
                  durationMs: kneeStepMs(stepRate),
                  rampMs: 2000,
                  concurrency,
                  timeoutMs: 10_000,
                  seed: Date.now(),
                  metricsToken: target.metricsToken,
                  settle: () => settle(target.url, 180_000),
                },
                db,
              );
              const kj = judge(p.budget!, k, []);
              knee.steps.push({
                rate: stepRate,
                achieved: k.achievedRate,
                p50: k.total.latency.p50,
                p99: k.total.latency.p99,
                errors: k.errors,
                pass: kj.verdict === 'PASS',
                reasons: kj.reasons,
              });
              log(`    achieved ${k.achievedRate}/s, p99 ${k.total.latency.p99} ms, errors ${k.errors}: ${kj.verdict}`);
              return kj.verdict === 'PASS';
            },
            entry.verdict === 'PASS' ? result.offeredRate : 0,
          );
        }
      }
      const phased = plannedPhasedRuns(opts);
      if (phased.length && !smoke) await runPhasedRuns(phased, { target, db, report, prepared, setupClient, concurrency, seed, log });
    } finally {
      await setupClient.close();
    }
    // Last: at 1,000 req/s the health route is past this machine's ceiling on purpose, and the
    // backlog it leaves in the local endpoints would otherwise poison the scenarios after it.
    const healthRate = smoke ? 20 : 1000;
    const health: Scenario<null> = {
      name: 'health',
      title: '/api/health',
      description: '',
      thinkTimeMs: 0,
      setup: async () => null,
      mix: [{ endpoint: 'GET /api/health', weight: 1, build: () => ({ path: '/api/health' }) }],
    };
    log(`/api/health open model at ${healthRate} req/s…`);
    const h = await runScenario(health, null, {
      baseUrl: target.url,
      rate: healthRate,
      durationMs: closedMs,
      concurrency,
      timeoutMs: 10_000,
      seed,
      settle: () => settle(target.url, 180_000),
    });
    report.ceilings.healthOpen = { rate: healthRate, achieved: h.achievedRate, latency: h.total.latency, errors: h.errors };
    log(`  achieved ${h.achievedRate}/s, p50 ${h.total.latency.p50} ms, p99 ${h.total.latency.p99} ms`);
    report.passed = report.scenarios.every((s) => s.verdict !== 'FAIL');
    return report;
  } finally {
    report.finishedAt = new Date().toISOString();
    await db.end();
  }
}

/**
 * How far past its budget rate --knee keeps looking. The budget rate is what SPEC.md asks for;
 * the knee is what the machine can do, and its share of the hello-world ceiling is what issue 15
 * compares — a search that stopped at the budget would report the budget, not the knee.
 */
export const KNEE_CEILING_FACTOR = 4;

/**
 * The rates --knee tries: doubling rates (25, 50, 100, 200, 400…, the budget's own rate on the
 * way) until one fails or `KNEE_CEILING_FACTOR` × the budget passes, then two bisection steps
 * (geometric, rounded to 5/s) between the last pass and that failure — so the knee is known to
 * within a quarter of a doubling (≈ 19 %), not a factor of two. Feed each step's verdict back
 * through `next(pass)`. `knownPass`: a rate already measured to meet the budget (the scenario's
 * own, longer run): the search doubles from there instead of re-measuring the rates below it.
 */
export function* kneeSearch(budgetRate: number, knownPass = 0): Generator<number, void, boolean> {
  const ceiling = budgetRate * KNEE_CEILING_FACTOR;
  let pass = Math.min(knownPass, ceiling);
  let fail = 0;
  if (pass >= ceiling) return;
  // The budget rate itself is a step when the doubling would jump over it.
  const next = (r: number) => Math.min(r * 2, r < budgetRate ? budgetRate : ceiling);
  for (let r = pass > 0 ? next(pass) : 25; ; r = next(r)) {
    if (!(yield r)) {
      fail = r;
      break;
    }
    pass = r;
    if (r >= ceiling) return;
  }
  for (let i = 0; i < 2 && pass > 0; i++) {
    const mid = Math.round(Math.sqrt(pass * fail) / 5) * 5;
    if (mid <= pass || mid >= fail) return;
    if (yield mid) pass = mid;
    else fail = mid;
  }
}

/**
 * How long one knee step measures: long enough for KNEE_SAMPLES requests, 10–30 s. A p99 of 500
 * requests (10 s at 50/s) is the fifth slowest, so one 200 ms garbage-collection pause of the
 * runtime decided it; the scenario's own 30 s run at three times the rate passed.
 */
export const KNEE_SAMPLES = 3000;
export const kneeStepMs = (rate: number) => Math.min(30_000, Math.max(10_000, Math.ceil(KNEE_SAMPLES / rate) * 1000));

/** Runs the knee search: `step(rate)` measures one rate and says whether it met the budget. */
export async function searchKnee(budgetRate: number, step: (rate: number) => Promise<boolean>, knownPass = 0): Promise<number | null> {
  let best: number | null = knownPass > 0 ? Math.min(knownPass, budgetRate * KNEE_CEILING_FACTOR) : null;
  const rates = kneeSearch(budgetRate, knownPass);
  let next = rates.next();
  while (!next.done) {
    const rate = next.value;
    const pass = await step(rate);
    if (pass && (best === null || rate > best)) best = rate;
    next = rates.next(pass);
  }
  return best;
}

/** Waits until /api/ready answers 200 within 200 ms three times in a row; returns how long that took. */
export async function settle(baseUrl: string, maxMs: number): Promise<number> {
  const started = Date.now();
  let good = 0;
  while (Date.now() - started < maxMs) {
    const t = Date.now();
    const ok = await fetch(`${baseUrl}/api/ready`, { signal: AbortSignal.timeout(5000) })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.ok;
      })
      .catch(() => false);
    good = ok && Date.now() - t < 200 ? good + 1 : 0;
    if (good >= 3) break;
    await sleep(300);
  }
  return Date.now() - started;
}

/**
 * Waits until the server's own processes (workerd, the local endpoints, Postgres, Redis) are
 * nearly idle: the previous scenario's background work — queued webhooks and their retries,
 * report jobs, deferred pushes — would otherwise run during the next measurement (issue 17's
 * booking rush measured 69 ms alone and 427–453 ms right after the enrollment scenario).
 * Below `idleShare` of one core for two 1-second windows in a row, or `maxMs` at most.
 */
export async function quiet(
  serverPid: number | undefined,
  maxMs: number,
  idleShare = 0.1,
): Promise<{ ms: number; quiet: boolean; lastShare: number }> {
  const started = Date.now();
  if (!serverPid || process.platform !== 'linux') return { ms: 0, quiet: true, lastShare: 0 };
  const total = () => Object.values(processCpu(serverPid)).reduce((a, b) => a + b, 0);
  let calm = 0;
  let lastShare = 0;
  let before = total();
  while (Date.now() - started < maxMs) {
    await sleep(1000);
    const now = total();
    lastShare = (now - before) / 1000;
    before = now;
    calm = lastShare < idleShare ? calm + 1 : 0;
    if (calm >= 2) return { ms: Date.now() - started, quiet: true, lastShare };
  }
  return { ms: Date.now() - started, quiet: false, lastShare };
}

const toOpenApi = (endpoint: string) => {
  const [method, route] = splitEndpoint(endpoint);
  return `${method} ${openApiPath(route)}`;
};

/**
 * A smoke run checks the machinery, not the budgets: requests went out and came back, the
 * server counted what we sent, nothing answered 5xx or failed on the network. Routes not
 * built yet (404) do not fail it.
 */
function smokeVerdict(r: ScenarioResult, reasons: string[]): Verdict {
  const bad = Object.keys(r.total.errorsByStatus).filter((s) => s.startsWith('5') || s === 'network' || s === 'timeout' || s === 'dropped');
  const broken = !r.sent || !r.received || (r.server && !r.server.agree) || bad.length > 0;
  if (bad.length) reasons.push(`smoke: ${bad.map((s) => `${s}×${r.total.errorsByStatus[s]}`).join(', ')}`);
  return broken ? 'FAIL' : 'PASS';
}

/**
 * What the backends did, from their own counters: Redis commands (INFO through the local
 * Upstash endpoint) and Postgres statements and buffer reads (pg_stat_database). Divided by the
 * requests of a run they give the per-request costs the capacity plan multiplies.
 */
export async function backendCounters(db: pg.Pool, upstash?: { url: string; token: string }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { rows } = await db.query<{ xacts: string; blks_read: string; blks_hit: string; tup_returned: string }>(
    `select xact_commit + xact_rollback as xacts, blks_read, blks_hit, tup_returned from pg_stat_database where datname = current_database()`,
  );
  const r = rows[0];
  if (r) {
    out['postgres transactions'] = Number(r.xacts);
    out['postgres blocks read'] = Number(r.blks_read);
    out['postgres blocks hit'] = Number(r.blks_hit);
    out['postgres rows scanned'] = Number(r.tup_returned);
  }
  if (upstash) {
    const res = await upstashCommand(upstash, ['INFO', 'stats'], 5000).catch(() => undefined);
    const info = res?.ok ? ((await res.json()) as { result?: string }).result : undefined;
    const m = typeof info === 'string' ? /total_commands_processed:(\d+)/.exec(info) : null;
    if (m) out['redis commands'] = Number(m[1]);
  }
  return out;
}

/** Makes every cached list and search unreachable (the catalog's generation key), for a cold-cache run. */
async function bumpCatalogGeneration(upstash: { url: string; token: string }): Promise<void> {
  await upstashCommand(upstash, ['INCR', 'gen:catalog'], 5000).catch(() => undefined);
}

/** One Redis command through the local Upstash REST endpoint (the bench's only way into Redis). */
function upstashCommand(upstash: { url: string; token: string }, command: string[], timeoutMs: number): Promise<Response> {
  return fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(command),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

export { scrapeMetrics };

/**
 * CPU milliseconds used so far by the processes under `rootPid` (Linux /proc), by component:
 * workerd (the Worker), postgres, redis, and the rest (node: the local Neon and Upstash
 * endpoints). Divided by a run's requests this is the CPU each request costs each part.
 */
export function processCpu(rootPid: number): Record<string, number> {
  const tick = 100; // USER_HZ on Linux
  const children = new Map<number, number[]>();
  const info = new Map<number, { comm: string; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const ppid = Number(f[1]);
      // utime, stime, cutime, cstime (fields 14-17): children that exited count too.
      const cpu = ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / tick;
      info.set(Number(name), { comm, cpu });
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: Record<string, number> = {};
  const walk = (pid: number) => {
    const i = info.get(pid);
    if (i) {
      const part = /workerd/.test(i.comm)
        ? 'workerd'
        : /postgres|postmaster/.test(i.comm)
          ? 'postgres'
          : /redis/.test(i.comm)
            ? 'redis'
            : 'node (local endpoints)';
      out[`cpu ms ${part}`] = (out[`cpu ms ${part}`] ?? 0) + i.cpu;
    }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

type RequestSpecLike = Parameters<typeof warmUp>[1][number];

interface PhasedContext {
  target: BenchTarget;
  db: pg.Pool;
  report: BenchReport;
  prepared: Map<string, { state: unknown; warm: RequestSpecLike[] }>;
  setupClient: LoadClient;
  concurrency: number;
  seed: number;
  log: (line: string) => void;
}

/** Highest passing rate of a budget (steps of kneeStepMs, as --knee does). */
async function findKnee(
  scenario: Scenario<unknown>,
  state: unknown,
  budget: Budget,
  warm: RequestSpecLike[],
  ctx: PhasedContext,
): Promise<number | null> {
  return searchKnee(budget.rate, async (stepRate) => {
    if (ctx.target.upstash) await forgetRateLimits(ctx.target.upstash);
    if (warm.length) await warmUp(ctx.setupClient, warm, 16);
    const k = await runScenario(
      scenario,
      state,
      {
        baseUrl: ctx.target.url,
        rate: stepRate,
        durationMs: kneeStepMs(stepRate),
        rampMs: 2000,
        concurrency: ctx.concurrency,
        timeoutMs: 10_000,
        seed: Date.now(),
        metricsToken: ctx.target.metricsToken,
        settle: () => settle(ctx.target.url, 180_000),
      },
      ctx.db,
    );
    const pass = judge(budget, k, []).verdict === 'PASS';
    ctx.log(
      `    knee ${stepRate}/s: achieved ${k.achievedRate}/s, p99 ${k.total.latency.p99} ms, errors ${k.errors}: ${pass ? 'PASS' : 'FAIL'}`,
    );
    return pass;
  });
}

/**
 * `overload`: the visitor mix at the knee, 2× the knee for 30 s, the knee, 5× for 30 s, the
 * knee again — goodput, shed requests, p99 of the accepted ones, time to recover.
 * `cold-start`: Redis emptied, then the full knee rate from the first second for 60 s — does
 * the last 20 s meet the budget (no metastable state)?
 */
async function runPhasedRuns(names: PhasedRunName[], ctx: PhasedContext): Promise<void> {
  const { target, log } = ctx;
  const budget = BUDGETS.find((b) => b.scenario === 'visitor')!;
  const visitor = SCENARIOS.visitor!;
  let prep = ctx.prepared.get('visitor');
  if (!prep) {
    const rng = createRng(ctx.seed);
    const state = await visitor.setup({
      baseUrl: target.url,
      db: ctx.db,
      client: ctx.setupClient,
      rng,
      smoke: false,
      ip: (n: number) => `100.${64 + ((n >>> 16) & 63)}.${(n >>> 8) & 255}.${n & 255}`,
      log,
    });
    prep = { state, warm: visitor.warmup?.(state, rng) ?? [] };
    ctx.prepared.set('visitor', prep);
  }
  let knee = ctx.report.scenarios.find((s) => s.scenario === 'visitor')?.knee?.maxPassingRate ?? undefined;
  if (knee === undefined) {
    log('visitor knee (for the phased runs)…');
    knee = (await findKnee(visitor, prep.state, budget, prep.warm, ctx)) ?? 25;
  }
  for (const name of names) {
    const phases: Phase[] =
      name === 'overload'
        ? [
            { label: 'knee', rate: knee, durationMs: 10_000 },
            { label: '2× knee', rate: knee * 2, durationMs: 30_000 },
            { label: 'knee again', rate: knee, durationMs: 20_000 },
            { label: '5× knee', rate: knee * 5, durationMs: 30_000 },
            { label: 'knee at the end', rate: knee, durationMs: 30_000 },
          ]
        : [{ label: 'cold', rate: knee, durationMs: 60_000 }];
    log(`${name}: visitor mix, knee ${knee}/s`);
    const calm = await quiet(ctx.target.serverPid, 90_000);
    const entry: ScenarioEntry = {
      quietMs: calm.ms,
      scenario: name,
      title:
        name === 'overload'
          ? `overload: 2× and 5× the visitor knee (${knee}/s)`
          : `cold start at the visitor knee (${knee}/s), Redis emptied`,
      verdict: 'INFO',
      reasons: [],
      missingRoutes: [],
    };
    ctx.report.scenarios.push(entry);
    if (name === 'cold-start') {
      if (!target.upstash) {
        entry.verdict = 'SKIP';
        entry.reasons.push('no Upstash endpoint to empty Redis through');
        continue;
      }
      await flushRedis(target.upstash);
    } else if (prep.warm.length) {
      await warmUp(ctx.setupClient, prep.warm, 16);
    }
    await settle(target.url, 180_000);
    const before = await scrapeMetrics(target.url, target.metricsToken);
    const cpuBefore = target.serverPid && process.platform === 'linux' ? processCpu(target.serverPid) : {};
    const genBefore = process.cpuUsage();
    const r = await runPhased(visitor, prep.state, {
      baseUrl: target.url,
      phases,
      concurrency: ctx.concurrency,
      timeoutMs: 10_000,
      seed: Date.now(),
      log,
    });
    const gen = process.cpuUsage(genBefore);
    const cpuAfter = target.serverPid && process.platform === 'linux' ? processCpu(target.serverPid) : {};
    await settle(target.url, 180_000);
    const after = await scrapeMetrics(target.url, target.metricsToken);
    const { windows, ...result } = r;
    const pe: PhasedEntry = { knee, budgetP99Ms: budget.p99Ms!, result };
    const perReq = (v: number) => (r.received ? Math.round((v / r.received) * 100) / 100 : 0);
    pe.cpuPerRequest = { 'load generator': perReq((gen.user + gen.system) / 1000) };
    for (const [k, v] of Object.entries(cpuAfter)) pe.cpuPerRequest[k.replace(/^cpu ms /, '')] = perReq(v - (cpuBefore[k] ?? 0));
    if (before && after) {
      pe.admission = {};
      for (const x of deltas(before, after, 'sabaq_admission_total'))
        if (x.value) pe.admission[`${x.labels.family}:${x.labels.outcome}`] = x.value;
      const iso = (xs: typeof before) => xs.find((x) => x.name === 'sabaq_metrics_isolate_info')?.labels.isolate;
      pe.isolateRestarted = iso(before) !== iso(after);
    }
    if (pe.isolateRestarted) entry.reasons.push('the Worker isolate was restarted during the run');
    if (name === 'overload') {
      let at = 0;
      pe.recovery = [];
      for (let i = 0; i < phases.length; i++) {
        at += phases[i]!.durationMs / 1000;
        if (phases[i]!.rate > knee)
          pe.recovery.push({ after: phases[i]!.label, seconds: secondsToRecover(result.seconds, at, budget.p99Ms!) });
      }
      for (const p of result.phases.filter((x) => x.rate > knee)) {
        if (p.goodput < knee * 0.9) entry.reasons.push(`${p.label}: goodput ${p.goodput}/s < 90 % of the knee`);
        if (p.timeouts) entry.reasons.push(`${p.label}: ${p.timeouts} timeouts`);
        if (p.shed && p.shedLatency.p99 >= 100) entry.reasons.push(`${p.label}: shed answered in p99 ${p.shedLatency.p99} ms (≥ 100 ms)`);
      }
      for (const rec of pe.recovery)
        if (rec.seconds === null || rec.seconds > 10)
          entry.reasons.push(
            `after ${rec.after}: ${rec.seconds === null ? 'not back within budget' : `back within budget after ${rec.seconds} s`} (target ≤ 10 s)`,
          );
    } else {
      const total = phases[0]!.durationMs / 1000;
      pe.lastWindow = windows(total - 20, total);
      pe.settledAfterS = null;
      for (let sec = 0; sec < total; sec++) {
        const w = windows(sec, total);
        if (w.failed === 0 && w.p99 < budget.p99Ms!) {
          pe.settledAfterS = sec;
          break;
        }
      }
      if (pe.lastWindow.failed || pe.lastWindow.p99 >= budget.p99Ms!)
        entry.reasons.push(
          `last 20 s: p99 ${pe.lastWindow.p99} ms, ${pe.lastWindow.failed} failed (budget p99 < ${budget.p99Ms} ms, 0 errors)`,
        );
      if (pe.settledAfterS === null || pe.settledAfterS > 30)
        entry.reasons.push(`within budget ${pe.settledAfterS === null ? 'never' : `only after ${pe.settledAfterS} s`} (target ≤ 30 s)`);
    }
    entry.phased = pe;
    entry.verdict = entry.reasons.length ? 'FAIL' : 'PASS';
    for (const p of result.phases)
      log(
        `  ${p.label} (${p.rate}/s): goodput ${p.goodput}/s, shed ${p.shed} (p99 ${p.shedLatency.p99} ms), timeouts ${p.timeouts}, errors ${p.errors}, accepted p99 ${p.accepted.p99} ms`,
      );
    if (pe.recovery)
      log(`  recovery: ${pe.recovery.map((x) => `after ${x.after} ${x.seconds === null ? 'never' : `${x.seconds} s`}`).join(', ')}`);
    if (pe.lastWindow)
      log(
        `  last 20 s: p99 ${pe.lastWindow.p99} ms, ${pe.lastWindow.failed} failed; within budget from second ${pe.settledAfterS ?? 'never'}`,
      );
    log(`  ${entry.verdict}${entry.reasons.length ? ` — ${entry.reasons.join('; ')}` : ''}`);
  }
}

/**
 * Every rate-limit counter gone (`rl:*`, workers/lib/ratelimit.ts) before a knee step: a step
 * measures capacity, and the same simulated users must not begin it with the allowance the run
 * before spent — the learner knee's first step (25/s) failed on 429s right after the 500/s run.
 */
async function forgetRateLimits(upstash: { url: string; token: string }): Promise<void> {
  const script = "local n = 0 for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) n = n + 1 end return n";
  const res = await upstashCommand(upstash, ['EVAL', script, '0'], 10_000);
  if (!res.ok) throw new Error(`clearing the rate limits through the Upstash endpoint answered ${res.status}`);
}

/** Empties the local Redis (cache entries, generations, rate-limit counters): a cold start. */
async function flushRedis(upstash: { url: string; token: string }): Promise<void> {
  const res = await upstashCommand(upstash, ['FLUSHDB'], 10_000);
  if (!res.ok) throw new Error(`FLUSHDB through the Upstash endpoint answered ${res.status}`);
}
