/**
 * The open model: arrivals happen on a fixed schedule (constant spacing, or Poisson with the
 * same mean rate) whether or not earlier requests have finished — the way real users arrive.
 * Each arrival carries its *intended* start time; latency is measured from it, so a stalled
 * server is charged for the requests it kept waiting (no coordinated omission: a closed loop
 * of N clients would simply stop sending while the server stalls and report flattering
 * percentiles).
 */
import { LatencyHistogram } from './histogram.ts';
import type { Rng } from './rng.ts';

/** The load generator's clock: monotonic milliseconds. */
export const now = () => performance.now();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ScheduleOptions {
  /** Arrivals per second. */
  ratePerSec: number;
  durationMs: number;
  /** `constant`: evenly spaced (wrk2-style); `poisson`: exponential gaps with the same mean. */
  arrival?: 'constant' | 'poisson';
  /** Needed for Poisson arrivals. */
  rng?: Rng;
  /** Called once per arrival, at or just after its intended start; must not block. */
  onArrival(intendedStart: number, seq: number): void;
  signal?: AbortSignal;
}

export interface ScheduleResult {
  startedAt: number;
  endedAt: number;
  arrivals: number;
  /**
   * How late the generator itself fired arrivals (fire time − intended time). Large values
   * mean the load generator, not the server, was short of CPU; latencies still count from
   * the intended time either way.
   */
  lag: LatencyHistogram;
}

export async function runSchedule(opts: ScheduleOptions): Promise<ScheduleResult> {
  if (!(opts.ratePerSec > 0)) throw new Error('ratePerSec must be > 0');
  const mean = 1000 / opts.ratePerSec;
  const poisson = opts.arrival === 'poisson';
  if (poisson && !opts.rng) throw new Error('Poisson arrivals need an rng');
  const gap = () => (poisson ? opts.rng!.exp(mean) : mean);
  const lag = new LatencyHistogram();

  const startedAt = now();
  const end = startedAt + opts.durationMs;
  let seq = 0;
  let nextAt = startedAt;
  while (nextAt < end && !opts.signal?.aborted) {
    const wait = nextAt - now();
    if (wait > 0) await sleep(Math.max(1, Math.floor(wait)));
    const t = now();
    // Catch up on every arrival that is due; never fire one early.
    while (nextAt <= t && nextAt < end) {
      lag.record(t - nextAt);
      opts.onArrival(nextAt, seq++);
      // A fixed schedule is computed from the index: summing the gap 500 times drifts in floating
      // point, and an arrival that lands a hair before the end is one too many.
      nextAt = poisson ? nextAt + gap() : startedAt + seq * mean;
    }
  }
  return { startedAt, endedAt: Math.max(end, now()), arrivals: seq, lag };
}
