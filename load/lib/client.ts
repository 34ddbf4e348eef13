/**
 * HTTP client of the load generator: an undici Pool with keep-alive connections to one
 * origin, and a concurrency cap. A request that finds every slot busy waits for one (its
 * latency still counts from its intended start) and the wait is counted, so a report can
 * say "the cap was hit N times" instead of silently turning the open model into a closed one.
 */
import { Pool } from 'undici';
import { now } from './scheduler.ts';

export interface RequestSpec {
  /** Label for reports: the route pattern (`/api/courses/:id`) or another stable name. */
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path and query. */
  path: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: unknown;
  /** Statuses that count as success (default: < 400). */
  ok?: (status: number) => boolean;
  /** Keep the parsed JSON body for the caller (flows that chain requests). */
  readBody?: boolean;
  /** A measurement that is not a request (a job's queued → ready time): reported apart, never compared with the server's counts. */
  synthetic?: boolean;
}

export type Failure = 'timeout' | 'network' | 'dropped';

export interface Outcome {
  spec: RequestSpec;
  /** HTTP status, or why there is none. */
  status: number | Failure;
  ok: boolean;
  /** Milliseconds from the intended start to the end of the response body. */
  latencyMs: number;
  /** Milliseconds spent waiting for a free slot under the cap. */
  queuedMs: number;
  body?: unknown;
  /** Response headers of interest (cache markers). */
  edgeCache?: string;
  error?: string;
}

export interface ClientOptions {
  /** Requests in flight at most (also the number of connections). */
  concurrency: number;
  /** Per-request limit, from the intended start. */
  timeoutMs: number;
  /** Requests allowed to wait for a slot before new ones are dropped. */
  maxQueue?: number;
}

export interface ClientStats {
  /** Requests that found all slots busy and had to wait. */
  capHits: number;
  /** Longest wait queue seen. */
  maxQueued: number;
  /** Most requests in flight at once. */
  maxInFlight: number;
  dropped: number;
}

export class LoadClient {
  private readonly pool: Pool;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  readonly stats: ClientStats = { capHits: 0, maxQueued: 0, maxInFlight: 0, dropped: 0 };

  constructor(
    readonly origin: string,
    private readonly opts: ClientOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: opts.concurrency,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(10_000, opts.timeoutMs),
    });
  }

  get active(): number {
    return this.inFlight + this.waiting.length;
  }

  private async acquire(): Promise<boolean> {
    if (this.inFlight < this.opts.concurrency) {
      this.inFlight++;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
      return true;
    }
    if (this.waiting.length >= (this.opts.maxQueue ?? 100_000)) {
      this.stats.dropped++;
      return false;
    }
    this.stats.capHits++;
    await new Promise<void>((r) => this.waiting.push(r));
    this.stats.maxQueued = Math.max(this.stats.maxQueued, this.waiting.length + 1);
    return true;
  }

  private release() {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes straight on
    else this.inFlight--;
  }

  /** Sends `spec`; latency is measured from `intendedStart` (the scheduler's clock), not from the send. */
  async send(spec: RequestSpec, intendedStart: number = now()): Promise<Outcome> {
    const isOk = spec.ok ?? ((s: number) => s < 400);
    if (!(await this.acquire())) {
      return { spec, status: 'dropped', ok: false, latencyMs: now() - intendedStart, queuedMs: 0, error: 'concurrency cap queue full' };
    }
    const sentAt = now();
    const queuedMs = sentAt - intendedStart;
    try {
      const remaining = this.opts.timeoutMs - (sentAt - intendedStart);
      if (remaining <= 0)
        return { spec, status: 'timeout', ok: false, latencyMs: now() - intendedStart, queuedMs, error: 'timed out waiting for a slot' };
      const headers: Record<string, string> = { ...spec.headers };
      let body: string | undefined;
      if (spec.body !== undefined) {
        body = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await this.pool.request({
        method: spec.method,
        path: spec.path,
        headers,
        body,
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(remaining))),
      });
      let parsed: unknown;
      // Error bodies are small and say why: keep them for the report.
      if (spec.readBody || res.statusCode >= 400) {
        const text = await res.body.text();
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
      } else {
        // Read to the end so the connection goes back to the pool.
        await res.body.arrayBuffer();
      }
      const edge = res.headers['x-edge-cache'];
      return {
        spec,
        status: res.statusCode,
        ok: isOk(res.statusCode),
        latencyMs: now() - intendedStart,
        queuedMs,
        body: parsed,
        edgeCache: typeof edge === 'string' ? edge : undefined,
      };
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      const timeout = e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/i.test(e.code ?? '');
      return {
        spec,
        status: timeout ? 'timeout' : 'network',
        ok: false,
        latencyMs: now() - intendedStart,
        queuedMs,
        error: `${e.code ?? e.name}: ${e.message}`,
      };
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => {});
  }
}
