/**
 * The performance budgets of SPEC.md ("Behaviour under load … Performance budgets"), as the
 * bench checks them. Rates are what the open model offers; latencies count from each
 * request's intended start.
 */
export interface Budget {
  /** Scenario name (load/scenarios). */
  scenario: string;
  /** The SPEC row, for the report. */
  spec: string;
  /** Offered rate: requests per second, or sessions (jobs, players) per second for flows. */
  rate: number;
  /** Measured window; the bench's --duration overrides it for request scenarios. */
  durationMs?: number;
  /** Which endpoint's latency is gated (default: all requests of the scenario). */
  latencyOf?: string;
  p99Ms?: number;
  p95Ms?: number;
  /** Every request must succeed. */
  zeroErrors?: boolean;
  /** The scenario's own checks (rows in the database…) must all pass. */
  checks?: boolean;
  /** More latency gates on other (often synthetic) endpoints of the same run. */
  alsoLatency?: { of: string; p95Ms: number }[];
}

export const BUDGETS: Budget[] = [
  {
    scenario: 'visitor',
    spec: 'visitor: catalog list, course page, search (cache warm) — 1,000 req/s, p99 < 100 ms, 0 errors',
    rate: 1000,
    p99Ms: 100,
    zeroErrors: true,
  },
  {
    scenario: 'learner',
    spec: 'learner mix: my learning, lesson, mark complete, progress — 500 req/s, p99 < 150 ms, 0 errors',
    rate: 500,
    p99Ms: 150,
    zeroErrors: true,
  },
  { scenario: 'search-cold', spec: 'search on 100,000 courses, cache cold — 200 req/s, p99 < 150 ms', rate: 200, p99Ms: 150 },
  {
    scenario: 'enrollment',
    spec: 'enrollment + checkout writes — 200 req/s, p99 < 200 ms, no lost or duplicated rows',
    rate: 200,
    p99Ms: 200,
    checks: true,
  },
  {
    scenario: 'live-game',
    spec: 'live game: 1,000 players join one room within 10 s — 0 failed joins; leaderboard broadcast p95 < 250 ms',
    rate: 100,
    durationMs: 10_000,
    latencyOf: 'WS broadcast (DO send → receipt)',
    p95Ms: 250,
    zeroErrors: true,
    checks: true,
  },
  // 100 jobs/s for 10 s = 1,000 queued.
  {
    scenario: 'report-jobs',
    spec: 'report jobs — 1,000 queued: all done, none lost, none duplicated',
    rate: 100,
    durationMs: 10_000,
    latencyOf: 'POST /api/results/:id/report',
    zeroErrors: true,
    checks: true,
  },
  {
    scenario: 'booking-rush',
    spec: 'booking rush: many clients racing for the same few slots of one specialist — p99 < 200 ms, exactly one winner per slot, no hold leaked',
    rate: 100,
    durationMs: 10_000,
    p99Ms: 200,
    checks: true,
  },
  {
    scenario: 'dashboard',
    spec: "dashboards (issue 19): 100 teachers reading their dashboards — reads p95 < 250 ms; a learner's lesson completion reaches the teacher's open dashboard (pulse over /api/me/live) p95 < 250 ms; 100 live sockets at once, ≥ 99 % connect",
    rate: 50,
    p95Ms: 250,
    alsoLatency: [{ of: 'WS pulse (completion sent → dashboard)', p95Ms: 250 }],
    checks: true,
  },
];

/** Scenarios without a SPEC budget, run with --all at these rates for information. */
export const EXTRA: { scenario: string; rate: number; mode?: 'requests' | 'sessions' }[] = [
  { scenario: 'teacher', rate: 20 },
  { scenario: 'login', rate: 20 },
  { scenario: 'assessment', rate: 5, mode: 'sessions' },
];
