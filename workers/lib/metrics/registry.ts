/**
 * The in-isolate registry: counters, gauges and histograms per label set, in memory. Isolate
 * memory is per isolate: locally (workerd runs one isolate per worker) it is the whole picture;
 * in production each isolate knows only its own traffic (Analytics Engine aggregates across them).
 */
import { METRICS, type Labels, type MetricDef, type MetricName, type MetricsSink } from './catalog.ts';
import { renderPrometheus } from './prometheus.ts';

/** Series per metric beyond which new label sets are folded into `other`. */
export const MAX_SERIES = 500;

export interface Series {
  labels: Labels;
  value: number;
  /** Histograms: cumulative-at-render counts per bucket (stored per bucket), sum, count. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

const keyOf = (def: MetricDef, labels: Labels) => def.labels.map((l) => labels[l] ?? '').join('\u0001');

export class Registry implements MetricsSink {
  private readonly series = new Map<MetricName, Map<string, Series>>();
  // Random values and clocks are not available at global scope in Workers: set on first use.
  private started?: number;
  private id?: string;

  /** When this registry (and so the isolate) recorded its first point. */
  get startedAt(): number {
    return (this.started ??= Date.now());
  }
  get isolateId(): string {
    return (this.id ??= crypto.randomUUID().slice(0, 8));
  }

  private get(name: MetricName, labels: Labels): Series {
    void this.startedAt;
    const def: MetricDef = METRICS[name];
    let byKey = this.series.get(name);
    if (!byKey) this.series.set(name, (byKey = new Map()));
    let key = keyOf(def, labels);
    let s = byKey.get(key);
    if (!s) {
      if (byKey.size >= MAX_SERIES) {
        labels = Object.fromEntries(def.labels.map((l) => [l, 'other']));
        key = keyOf(def, labels);
        s = byKey.get(key);
      }
      if (!s) {
        const clean: Labels = {};
        for (const l of def.labels) clean[l] = labels[l] ?? '';
        s = { labels: clean, value: 0 };
        if (def.kind === 'histogram') {
          s.buckets = new Array<number>(def.buckets!.length).fill(0);
          s.sum = 0;
          s.count = 0;
        }
        byKey.set(key, s);
      }
    }
    return s;
  }

  count(name: MetricName, labels: Labels, by = 1): void {
    this.get(name, labels).value += by;
  }

  observe(name: MetricName, labels: Labels, value: number): void {
    const s = this.get(name, labels);
    const bounds = (METRICS[name] as MetricDef).buckets!;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.buckets![i]!++;
        break;
      }
    }
    s.sum! += value;
    s.count!++;
  }

  set(name: MetricName, labels: Labels, value: number): void {
    this.get(name, labels).value = value;
  }

  /** Current value of a counter or gauge series (tests, derived gauges). */
  value(name: MetricName, labels: Labels): number {
    return this.series.get(name)?.get(keyOf(METRICS[name], labels))?.value ?? 0;
  }

  entries(name: MetricName): Series[] {
    return [...(this.series.get(name)?.values() ?? [])];
  }

  reset(): void {
    this.series.clear();
  }

  /** Prometheus text exposition format 0.0.4 (what /api/metrics answers). */
  render(): string {
    this.deriveQueueDepth();
    return renderPrometheus(this);
  }

  /** Queue depth is derived, not recorded: sent minus acked and dead-lettered, per queue. */
  private deriveQueueDepth() {
    for (const sent of this.entries('sabaq_queue_messages_sent_total')) {
      const queue = sent.labels.queue!;
      const done =
        this.value('sabaq_queue_jobs_total', { queue, outcome: 'ack' }) + this.value('sabaq_queue_jobs_total', { queue, outcome: 'dead' });
      this.set('sabaq_queue_depth', { queue }, Math.max(0, sent.value - done));
    }
  }
}
