/** Reads the Prometheus text format of GET /api/metrics, enough for the bench's comparisons. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** Sum of a metric's samples whose labels match every given label. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string | ((v: string) => boolean)> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    let ok = true;
    for (const [k, want] of Object.entries(match)) {
      const v = s.labels[k] ?? '';
      if (typeof want === 'function' ? !want(v) : v !== want) {
        ok = false;
        break;
      }
    }
    if (ok) total += s.value;
  }
  return total;
}

/** after − before for every series of a metric, keyed by its labels. */
export function deltas(before: Sample[], after: Sample[], name: string): Sample[] {
  const key = (s: Sample) => JSON.stringify(Object.entries(s.labels).sort());
  const prev = new Map(before.filter((s) => s.name === name).map((s) => [key(s), s.value]));
  return after.filter((s) => s.name === name).map((s) => ({ ...s, value: s.value - (prev.get(key(s)) ?? 0) }));
}
