/**
 * A run's per-second timeline as an SVG chart for the report: offered load against goodput,
 * shed and failed requests (top), and the accepted requests' p99 against the budget on a log
 * scale (bottom) — the curves docs/capacity.md talks about, readable without a plotting tool.
 * Plain SVG text: no dependency, viewable in any browser and on GitHub.
 */
import type { Second } from './lib/phased.ts';

const W = 760;
const PANEL_H = 180;
const GAP = 46;
const LEFT = 58;
const RIGHT = 16;
const TOP = 34;

const SERIES = [
  { name: 'offered /s', color: '#8a8a8a', dash: '5 4', value: (s: Second) => s.offered },
  { name: 'goodput /s', color: '#1a7f37', dash: '', value: (s: Second) => s.ok },
  { name: 'shed (503) /s', color: '#d97706', dash: '', value: (s: Second) => s.shed },
  { name: 'timeouts + errors /s', color: '#cf222e', dash: '', value: (s: Second) => s.timeouts + s.errors },
] as const;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A round axis maximum at or above `v` (1, 2, 5 × 10^k). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** x of second `t` (index in the timeline) and y of a value in a panel starting at `top`. */
export function scales(n: number, rateMax: number) {
  const plotW = W - LEFT - RIGHT;
  const x = (i: number) => LEFT + (n <= 1 ? 0 : (i * plotW) / (n - 1));
  const yRate = (v: number) => TOP + PANEL_H - (v / rateMax) * PANEL_H;
  // p99 panel: log10 from 1 ms to 10 s.
  const top2 = TOP + PANEL_H + GAP;
  const yMs = (v: number) => top2 + PANEL_H - (Math.log10(Math.min(10_000, Math.max(1, v))) / 4) * PANEL_H;
  return { x, yRate, yMs, top2 };
}

export function timelineSvg(title: string, seconds: Second[], budgetP99Ms: number): string {
  const n = seconds.length;
  const rateMax = niceMax(Math.max(1, ...seconds.map((s) => Math.max(s.offered, s.ok, s.shed, s.timeouts + s.errors))));
  const { x, yRate, yMs, top2 } = scales(n, rateMax);
  const H = top2 + PANEL_H + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${LEFT}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  // Phase boundaries: a vertical line and the label where the phase starts.
  for (let i = 0; i < n; i++) {
    if (i > 0 && seconds[i]!.phase === seconds[i - 1]!.phase) continue;
    const px = x(i).toFixed(1);
    out.push(`<line x1="${px}" y1="${TOP}" x2="${px}" y2="${top2 + PANEL_H}" stroke="#ddd"/>`);
    out.push(`<text x="${(x(i) + 3).toFixed(1)}" y="${TOP + 11}" fill="#666">${esc(seconds[i]!.phase)}</text>`);
  }
  // Axes and grid.
  for (const v of [0, rateMax / 2, rateMax]) {
    const y = yRate(v).toFixed(1);
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${W - RIGHT}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${LEFT - 4}" y="${y}" text-anchor="end" dy="4">${fmt(v)}</text>`);
  }
  for (const v of [1, 10, 100, 1000, 10_000]) {
    const y = yMs(v).toFixed(1);
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${W - RIGHT}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${LEFT - 4}" y="${y}" text-anchor="end" dy="4">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  out.push(`<text x="${LEFT}" y="${TOP + PANEL_H + 16}" fill="#444">requests per second</text>`);
  out.push(
    `<text x="${LEFT}" y="${top2 + PANEL_H + 16}" fill="#444">p99 of the accepted requests (log scale) · dashed: budget ${budgetP99Ms} ms · seconds →</text>`,
  );
  const yb = yMs(budgetP99Ms).toFixed(1);
  out.push(`<line x1="${LEFT}" y1="${yb}" x2="${W - RIGHT}" y2="${yb}" stroke="#cf222e" stroke-dasharray="6 4"/>`);
  const line = (ys: number[], color: string, dash: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${ys
      .map((y, i) => `${x(i).toFixed(1)},${y.toFixed(1)}`)
      .join(' ')}"/>`;
  for (const s of SERIES)
    out.push(
      line(
        seconds.map((sec) => yRate(s.value(sec))),
        s.color,
        s.dash,
      ),
    );
  // A second with nothing accepted has no p99: the line breaks there.
  let run: number[] = [];
  let start = 0;
  const flush = () => {
    if (run.length)
      out.push(
        `<polyline fill="none" stroke="#0969da" stroke-width="1.6" points="${run.map((y, j) => `${x(start + j).toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
      );
    run = [];
  };
  for (const [i, sec] of seconds.entries()) {
    if (sec.ok === 0) {
      flush();
      continue;
    }
    if (!run.length) start = i;
    run.push(yMs(sec.p99));
  }
  flush();
  // Legend.
  [...SERIES, { name: 'accepted p99', color: '#0969da', dash: '' }].forEach((s, i) => {
    const lx = LEFT + i * 140;
    const ly = top2 + PANEL_H + 32;
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    out.push(`<text x="${lx + 24}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
