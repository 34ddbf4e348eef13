import type { Outcome } from './client.ts';
import { LatencyHistogram, type LatencySummary } from './histogram.ts';

/** What happened to the requests of one endpoint (or of a whole scenario). */
export class EndpointStats {
  readonly latency = new LatencyHistogram();
  /** Latency of successful requests only. */
  readonly okLatency = new LatencyHistogram();
  readonly statuses = new Map<string, number>();
  /** Failed outcomes by status (HTTP code, timeout, network, dropped). */
  readonly errorStatuses = new Map<string, number>();
  sent = 0;
  completed = 0;
  ok = 0;
  edgeHits = 0;
  edgeMisses = 0;
  /** A few error messages, for the report. */
  readonly samples: string[] = [];
  /** Measurements that are not requests (see RequestSpec.synthetic). */
  synthetic = false;

  constructor(readonly endpoint: string) {}

  record(o: Outcome): void {
    if (o.spec.synthetic) this.synthetic = true;
    this.sent++;
    const key = String(o.status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    this.latency.record(o.latencyMs);
    if (typeof o.status === 'number') this.completed++;
    if (o.ok) {
      this.ok++;
      this.okLatency.record(o.latencyMs);
    } else {
      this.errorStatuses.set(key, (this.errorStatuses.get(key) ?? 0) + 1);
    }
    if (!o.ok && this.samples.length < 3) {
      const body = o.body && typeof o.body === 'object' ? JSON.stringify(o.body).slice(0, 200) : '';
      this.samples.push(`${o.spec.method} ${o.spec.path} → ${o.status}${o.error ? ` ${o.error}` : ''}${body ? ` ${body}` : ''}`);
    }
    if (o.edgeCache === 'HIT') this.edgeHits++;
    else if (o.edgeCache === 'MISS') this.edgeMisses++;
  }

  get errors(): number {
    return this.sent - this.ok;
  }

  summary(): LatencySummary {
    return this.latency.summary();
  }
}

/** Per-endpoint stats plus the total of a run. */
export class RunStats {
  readonly total = new EndpointStats('(all)');
  readonly byEndpoint = new Map<string, EndpointStats>();

  record(o: Outcome): void {
    if (!o.spec.synthetic) this.total.record(o);
    let e = this.byEndpoint.get(o.spec.endpoint);
    if (!e) this.byEndpoint.set(o.spec.endpoint, (e = new EndpointStats(o.spec.endpoint)));
    e.record(o);
  }
}
