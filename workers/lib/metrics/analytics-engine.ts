/**
 * Workers Analytics Engine (when the optional `METRICS_AE` binding exists) receives the same
 * points as the registry, one data point each: blob1 = metric name, blob2… = label values in the
 * metric's label order, double1 = value (1 for a counter increment, seconds for a duration).
 * Queries aggregate across isolates with SQL (sum(_sample_interval * double1), quantiles).
 */
import { METRICS, type Labels, type MetricDef, type MetricName, type MetricsSink } from './catalog.ts';

/** The part of the Analytics Engine binding we use. */
export interface AnalyticsEngineLike {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

export class AnalyticsEngineSink implements MetricsSink {
  constructor(private readonly dataset: AnalyticsEngineLike) {}

  private write(name: MetricName, labels: Labels, value: number) {
    const def: MetricDef = METRICS[name];
    try {
      this.dataset.writeDataPoint({ indexes: [name], blobs: [name, ...def.labels.map((l) => labels[l] ?? '')], doubles: [value] });
    } catch {
      // Metrics never fail a request.
    }
  }

  count(name: MetricName, labels: Labels, by: number): void {
    this.write(name, labels, by);
  }
  observe(name: MetricName, labels: Labels, value: number): void {
    this.write(name, labels, value);
  }
  set(name: MetricName, labels: Labels, value: number): void {
    this.write(name, labels, value);
  }
}
