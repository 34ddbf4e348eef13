/**
 * Runs of one scenario's mix at changing rates, back to back, recorded per second: what the
 * `overload` (2× and 5× the knee, then the knee again) and `cold-start` (the full rate from
 * the first second on fresh caches) runs of the bench need — goodput, shed requests (503),
 * the latency of the accepted ones, and how long the server took to get back within budget.
 */
import { LoadClient, type Outcome, type RequestSpec } from './client.ts';
import { LatencyHistogram, type LatencySummary } from './histogram.ts';
import { createRng, weightedPicker } from './rng.ts';
import { splitEndpoint, type Scenario } from './scenario.ts';
import { runSchedule } from './scheduler.ts';

export interface Phase {
  label: string;
  rate: number;
  durationMs: number;
}

/** One second of a phased run, by intended start. */
export interface Second {
  t: number;
  phase: string;
  offered: number;
  ok: number;
  /** Answered 503 (admission control's `overloaded`, or unavailable): refused quickly, not failed slowly. */
  shed: number;
  timeouts: number;
  errors: number;
  /** p99 of the accepted (2xx/3xx) requests of this second, ms. */
  p99: number;
}

export interface PhaseSummary {
  label: string;
  rate: number;
  durationS: number;
  offered: number;
  /** Accepted answers per second. */
  goodput: number;
  shed: number;
  timeouts: number;
  errors: number;
  accepted: LatencySummary;
  /** How fast a shed request got its 503. */
  shedLatency: LatencySummary;
}

export interface PhasedResult {
  phases: PhaseSummary[];
  seconds: Second[];
  received: number;
}

/** A sink for outcomes by intended second; pure, so the analysis is tested without a server. */
export class PhaseRecorder {
  private readonly secs: (Omit<Second, 'p99'> & { hist: LatencyHistogram })[] = [];
  private readonly byPhase = new Map<
    string,
    {
      rate: number;
      durationS: number;
      offered: number;
      ok: number;
      shed: number;
      timeouts: number;
      errors: number;
      accepted: LatencyHistogram;
      shedLat: LatencyHistogram;
    }
  >();
  received = 0;

  phase(p: Phase): void {
    this.byPhase.set(p.label, {
      rate: p.rate,
      durationS: p.durationMs / 1000,
      offered: 0,
      ok: 0,
      shed: 0,
      timeouts: 0,
      errors: 0,
      accepted: new LatencyHistogram(),
      shedLat: new LatencyHistogram(),
    });
  }

  record(second: number, phase: string, o: Pick<Outcome, 'status' | 'ok' | 'latencyMs'>): void {
    const s = (this.secs[second] ??= {
      t: second,
      phase,
      offered: 0,
      ok: 0,
      shed: 0,
      timeouts: 0,
      errors: 0,
      hist: new LatencyHistogram(),
    });
    const p = this.byPhase.get(phase)!;
    s.offered++;
    p.offered++;
    if (typeof o.status === 'number') this.received++;
    if (o.ok) {
      s.ok++;
      p.ok++;
      s.hist.record(o.latencyMs);
      p.accepted.record(o.latencyMs);
    } else if (o.status === 503) {
      s.shed++;
      p.shed++;
      p.shedLat.record(o.latencyMs);
    } else if (o.status === 'timeout') {
      s.timeouts++;
      p.timeouts++;
    } else {
      s.errors++;
      p.errors++;
    }
  }

  result(): PhasedResult {
    const seconds: Second[] = [];
    for (let i = 0; i < this.secs.length; i++) {
      const s = this.secs[i];
      if (!s) continue;
      const { hist, ...rest } = s;
      seconds.push({ ...rest, p99: Math.round(hist.percentile(99) * 10) / 10 });
    }
    const phases = [...this.byPhase].map(([label, p]) => ({
      label,
      rate: p.rate,
      durationS: p.durationS,
      offered: p.offered,
      goodput: Math.round((p.ok / p.durationS) * 10) / 10,
      shed: p.shed,
      timeouts: p.timeouts,
      errors: p.errors,
      accepted: p.accepted.summary(),
      shedLatency: p.shedLat.summary(),
    }));
    return { phases, seconds, received: this.received };
  }
}

/**
 * Seconds after `fromSecond` until the server is back within budget: the first second that
 * starts 3 consecutive seconds with nothing shed, no errors or timeouts and p99 < budget.
 * null when that never happened before the run ended.
 */
export function secondsToRecover(seconds: Second[], fromSecond: number, budgetP99Ms: number): number | null {
  const after = seconds.filter((s) => s.t >= fromSecond);
  const good = (s: Second | undefined) => Boolean(s && s.shed === 0 && s.errors === 0 && s.timeouts === 0 && s.p99 < budgetP99Ms);
  for (let i = 0; i + 2 < after.length; i++) {
    if (good(after[i]) && good(after[i + 1]) && good(after[i + 2])) return after[i]!.t - fromSecond;
  }
  return null;
}

export interface PhasedOptions {
  baseUrl: string;
  phases: Phase[];
  concurrency: number;
  timeoutMs: number;
  seed: number;
  log?: (line: string) => void;
}

/** Runs the scenario's mix through the phases back to back; latencies count from each arrival's intended start. */
export async function runPhased<S>(
  scenario: Scenario<S>,
  state: S,
  opts: PhasedOptions,
): Promise<PhasedResult & { windows: (from: number, to?: number) => { p99: number; ok: number; failed: number } }> {
  const rng = createRng(opts.seed);
  const client = new LoadClient(opts.baseUrl, { concurrency: opts.concurrency, timeoutMs: opts.timeoutMs });
  const rec = new PhaseRecorder();
  const bySecond: { t: number; ok: boolean; latencyMs: number }[] = [];
  const entries = scenario.mix ?? [];
  const pick = weightedPicker(entries.map((e) => ({ weight: e.weight, item: e })));
  const pending = new Set<Promise<unknown>>();
  let t0 = 0;
  try {
    for (const phase of opts.phases) {
      rec.phase(phase);
      opts.log?.(`  ${phase.label}: ${phase.rate}/s for ${phase.durationMs / 1000} s…`);
      await runSchedule({
        ratePerSec: phase.rate,
        durationMs: phase.durationMs,
        onArrival: (intended) => {
          if (!t0) t0 = intended;
          const entry = pick(rng);
          const built = entry.build(state, rng);
          if (!built) return;
          const [method] = splitEndpoint(entry.endpoint);
          const spec: RequestSpec = {
            ...built,
            endpoint: entry.endpoint,
            method: method as RequestSpec['method'],
            ok: built.ok ?? entry.ok,
          };
          const second = Math.floor((intended - t0) / 1000);
          const p = client.send(spec, intended).then((o) => {
            rec.record(second, phase.label, o);
            bySecond.push({ t: second, ok: o.ok, latencyMs: o.latencyMs });
          });
          pending.add(p);
          void p.finally(() => pending.delete(p));
        },
      });
    }
    await Promise.allSettled([...pending]);
  } finally {
    await client.close();
  }
  const windows = (from: number, to = Infinity) => {
    const h = new LatencyHistogram();
    let ok = 0;
    let failed = 0;
    for (const x of bySecond) {
      if (x.t < from || x.t >= to) continue;
      if (x.ok) {
        ok++;
        h.record(x.latencyMs);
      } else failed++;
    }
    return { p99: Math.round(h.percentile(99) * 10) / 10, ok, failed };
  };
  return { ...rec.result(), windows };
}
