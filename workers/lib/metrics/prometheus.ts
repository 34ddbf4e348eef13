import { METRICS, type Labels, type MetricDef, type MetricName } from './catalog.ts';
import type { Registry } from './registry.ts';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmt = (labels: Labels, extra?: [string, string]) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

/** A registry in the Prometheus text exposition format 0.0.4. */
export function renderPrometheus(registry: Registry): string {
  const out: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const def: MetricDef = METRICS[name];
    const all = registry.entries(name);
    out.push(`# HELP ${name} ${def.help}`, `# TYPE ${name} ${def.kind}`);
    for (const s of all) {
      if (def.kind !== 'histogram') {
        out.push(`${name}${fmt(s.labels)} ${num(s.value)}`);
        continue;
      }
      let cumulative = 0;
      def.buckets!.forEach((b, i) => {
        cumulative += s.buckets![i]!;
        out.push(`${name}_bucket${fmt(s.labels, ['le', String(b)])} ${cumulative}`);
      });
      out.push(`${name}_bucket${fmt(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${name}_sum${fmt(s.labels)} ${num(s.sum!)}`);
      out.push(`${name}_count${fmt(s.labels)} ${s.count}`);
    }
  }
  out.push(
    '# HELP sabaq_metrics_isolate_info The isolate these numbers come from (each isolate counts only its own traffic).',
    '# TYPE sabaq_metrics_isolate_info gauge',
    `sabaq_metrics_isolate_info{isolate="${registry.isolateId}",started="${new Date(registry.startedAt).toISOString()}"} 1`,
  );
  return `${out.join('\n')}\n`;
}
