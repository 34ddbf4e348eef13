/**
 * Admission control: each isolate bounds the work it accepts, so past its capacity it answers
 * the excess at once (503 + Retry-After) instead of queueing it into timeouts that keep the
 * backends busy for requests nobody waits for any more.
 *
 * - `GradientLimiter` adapts a concurrency limit to measured latency, after Netflix's
 *   concurrency-limits Gradient2: a long-term average latency is the baseline, a short-term
 *   one the current state; their ratio (with a tolerance) scales the limit down when latency
 *   rises, and a small headroom lets it grow while latency holds. Drops (5xx, leases that ran
 *   out) and a latency ceiling cut it multiplicatively (AIMD's backoff).
 * - `Bulkhead` is the semaphore: `limit` permits, a short FIFO queue whose waiters give up
 *   after `maxWaitMs`, and leases — a permit not released within `leaseMs` (the request was
 *   cancelled and its `finally` never ran) is reclaimed, so a lost permit cannot wedge it.
 *
 * Both take a clock, so tests drive them on a fake one. Instances are isolate-lived state (like
 * the Redis breaker), never configuration.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface LimiterOptions {
  initial: number;
  min: number;
  max: number;
  /** Long-term latency × tolerance is still "no queueing" (Gradient2's rttTolerance). */
  tolerance?: number;
  /** Weight of a new estimate (0..1). */
  smoothing?: number;
  /** Samples in the short-term average. */
  shortWindow?: number;
  /** Samples in the long-term (baseline) average. */
  longWindow?: number;
  /** Short-term latency above this cuts the limit whatever the baseline says (ms). */
  maxLatencyMs?: number;
  /** Multiplicative decrease on a drop or above the ceiling. */
  backoff?: number;
}

/** An exponential moving average that starts as a plain mean over its first `window` samples. */
class Ema {
  private n = 0;
  value = 0;
  constructor(private readonly window: number) {}
  add(x: number): number {
    if (this.n < this.window) {
      this.n++;
      this.value += (x - this.value) / this.n;
    } else {
      this.value += (2 / (this.window + 1)) * (x - this.value);
    }
    return this.value;
  }
}

/** A concurrency limit that follows measured latency (Gradient2, plus an AIMD backoff). */
export class GradientLimiter {
  private estimate: number;
  private readonly short: Ema;
  private readonly long: Ema;
  private readonly o: Required<LimiterOptions>;

  constructor(opts: LimiterOptions) {
    this.o = { tolerance: 2, smoothing: 0.2, shortWindow: 10, longWindow: 500, maxLatencyMs: Infinity, backoff: 0.9, ...opts };
    this.estimate = opts.initial;
    this.short = new Ema(this.o.shortWindow);
    this.long = new Ema(this.o.longWindow);
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.estimate));
  }

  /** One finished request: its latency, the requests in flight when it started, whether it failed for capacity reasons. */
  onSample(latencyMs: number, inflight: number, dropped = false): void {
    const { min, max, backoff } = this.o;
    const rtt = Math.max(0.1, latencyMs);
    if (dropped) {
      this.estimate = Math.max(min, this.estimate * backoff);
      return;
    }
    const shortRtt = this.short.add(rtt);
    let longRtt = this.long.add(rtt);
    // After a slow period the baseline would keep the limit low long after latency recovered.
    if (longRtt / shortRtt > 2) longRtt = this.long.value = longRtt * 0.95;
    if (shortRtt > this.o.maxLatencyMs) {
      this.estimate = Math.max(min, this.estimate * backoff);
      return;
    }
    // App-limited: with most of the limit unused, latency says nothing about the limit.
    if (inflight < this.estimate / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (this.o.tolerance * longRtt) / shortRtt));
    const headroom = Math.sqrt(this.estimate);
    const next = this.estimate * gradient + headroom;
    this.estimate = Math.max(min, Math.min(max, this.estimate * (1 - this.o.smoothing) + next * this.o.smoothing));
  }
}

export interface Permit {
  /** Ends the lease; `dropped` when the request failed for capacity reasons (5xx, timeout). */
  release(dropped?: boolean): void;
}

export interface BulkheadOptions {
  /** The current limit (a number, or a limiter's). */
  limit: () => number;
  /** Waiters beyond the limit; more than this are refused at once. */
  maxQueue: number;
  /** A waiter not given a permit within this is refused. */
  maxWaitMs: number;
  /** A permit held longer than this is reclaimed (its request is gone). */
  leaseMs: number;
  clock?: Clock;
  /** Every release, with the permit's latency and the requests in flight when it was granted. */
  onRelease?: (latencyMs: number, inflightAtStart: number, dropped: boolean) => void;
}

interface Lease {
  started: number;
  inflightAtStart: number;
  done: boolean;
}

interface Waiter {
  deadline: number;
  /** Set by whichever request frees a permit; read only by the waiter's own request. */
  permit?: Permit | null;
}

/**
 * How often a queued request looks for the permit handed to it. Waiters poll on their own
 * timers instead of being woken by the releasing request: on Workers a promise or timer of
 * one request touched from another request's context fails ("Cannot perform I/O on behalf
 * of a different request") and left the waiter hung.
 */
export const WAIT_POLL_MS = 5;

/** A semaphore with a short queue and leases: bounded work, bounded waiting, no lost permits. */
export class Bulkhead {
  private readonly leases = new Set<Lease>();
  private readonly queue: Waiter[] = [];
  private readonly clock: Clock;
  /** Permits reclaimed because their lease ran out. */
  expired = 0;

  constructor(private readonly o: BulkheadOptions) {
    this.clock = o.clock ?? systemClock;
  }

  get inflight(): number {
    return this.leases.size;
  }
  get queued(): number {
    return this.queue.length;
  }

  /** A permit now, or null when the limit is reached (no queueing). */
  tryAcquire(): Permit | null {
    if (this.leases.size >= this.o.limit()) this.reclaim();
    return this.leases.size < this.o.limit() ? this.grant() : null;
  }

  /**
   * A permit now, after a short wait in the queue, or null (refused: queue full or waited too
   * long). A release hands its permit to the oldest waiter, which picks it up on its next poll.
   */
  acquire(): Promise<Permit | null> {
    const now = this.permitOrNull();
    if (now) return Promise.resolve(now);
    if (this.queue.length >= this.o.maxQueue || this.o.maxWaitMs <= 0) return Promise.resolve(null);
    const waiter: Waiter = { deadline: this.clock.now() + this.o.maxWaitMs };
    this.queue.push(waiter);
    return this.wait(waiter);
  }

  private async wait(w: Waiter): Promise<Permit | null> {
    for (;;) {
      if (w.permit !== undefined) return w.permit;
      const left = w.deadline - this.clock.now();
      if (left <= 0) {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        return w.permit ?? null;
      }
      await new Promise<void>((r) => this.clock.setTimeout(r, Math.min(WAIT_POLL_MS, left)));
      if (w.permit === undefined) {
        // Permits whose holder vanished without releasing are found here too.
        if (this.leases.size >= this.o.limit()) this.reclaim();
        this.drain();
      }
    }
  }

  private permitOrNull(): Permit | null {
    if (this.queue.length) {
      // Waiters go first: a newcomer does not overtake the queue, but lost permits are reclaimed for them.
      if (this.leases.size >= this.o.limit()) this.reclaim();
      this.drain();
      if (this.queue.length) return null;
    }
    return this.tryAcquire();
  }

  private grant(): Permit {
    const lease: Lease = { started: this.clock.now(), inflightAtStart: this.leases.size + 1, done: false };
    this.leases.add(lease);
    return { release: (dropped = false) => this.release(lease, dropped) };
  }

  private release(lease: Lease, dropped: boolean): void {
    if (lease.done) return;
    lease.done = true;
    // A reclaimed lease was already accounted as a drop.
    if (!this.leases.delete(lease)) return;
    this.o.onRelease?.(this.clock.now() - lease.started, lease.inflightAtStart, dropped);
    this.drain();
  }

  /** Hands free permits to waiters still within their deadline. */
  private drain(): void {
    const now = this.clock.now();
    while (this.queue.length && this.leases.size < this.o.limit()) {
      const w = this.queue.shift()!;
      if (w.deadline < now) {
        w.permit = null;
        continue;
      }
      w.permit = this.grant();
    }
  }

  /** Frees leases whose holder is gone (cancelled requests never run their `finally`). */
  private reclaim(): void {
    const cutoff = this.clock.now() - this.o.leaseMs;
    for (const lease of this.leases) {
      if (lease.started <= cutoff) {
        this.leases.delete(lease);
        lease.done = true;
        this.expired++;
        this.o.onRelease?.(this.o.leaseMs, lease.inflightAtStart, true);
      }
    }
  }
}

/** A bulkhead whose limit follows a gradient limiter fed by its own releases. */
export class AdaptiveBulkhead {
  readonly limiter: GradientLimiter;
  readonly bulkhead: Bulkhead;

  constructor(limiter: LimiterOptions, queue: { maxQueue: number; maxWaitMs: number; leaseMs: number }, clock: Clock = systemClock) {
    this.limiter = new GradientLimiter(limiter);
    this.bulkhead = new Bulkhead({
      ...queue,
      clock,
      limit: () => this.limiter.limit,
      onRelease: (ms, inflight, dropped) => this.limiter.onSample(ms, inflight, dropped),
    });
  }

  acquire(): Promise<Permit | null> {
    return this.bulkhead.acquire();
  }
}
