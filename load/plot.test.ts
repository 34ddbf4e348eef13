import { describe, expect, it } from 'vitest';
import type { Second } from './lib/phased.ts';
import { niceMax, scales, timelineSvg } from './plot.ts';

const sec = (t: number, phase: string, offered: number, ok: number, shed: number, p99: number, timeouts = 0): Second => ({
  t,
  phase,
  offered,
  ok,
  shed,
  timeouts,
  errors: 0,
  p99,
});

/** The points of the polylines drawn in `color`, as [x, y] pairs. */
const lines = (svg: string, color: string) =>
  [...svg.matchAll(new RegExp(`<polyline[^>]*stroke="${color}"[^>]*points="([^"]*)"`, 'g'))].map((m) =>
    m[1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]),
  );

describe('timelineSvg', () => {
  it('rounds the rate axis up to 1, 2 or 5 × a power of ten', () => {
    expect([0, 1, 7, 730, 2000, 2001].map(niceMax)).toEqual([1, 1, 10, 1000, 2000, 5000]);
  });

  it('draws offered, goodput, shed and failures per second against one rate axis, phases marked', () => {
    const seconds = [
      sec(0, 'knee', 400, 400, 0, 20),
      sec(1, '2× knee', 800, 600, 150, 80, 50),
      sec(2, '2× knee', 800, 700, 100, 60),
      sec(3, 'knee again', 400, 400, 0, 15),
    ];
    const svg = timelineSvg('overload', seconds, 100);
    const { x, yRate } = scales(4, 1000);
    const [offered] = lines(svg, '#8a8a8a');
    const [goodput] = lines(svg, '#1a7f37');
    const [shed] = lines(svg, '#d97706');
    const [failed] = lines(svg, '#cf222e');
    expect(offered).toEqual(seconds.map((s, i) => [Number(x(i).toFixed(1)), Number(yRate(s.offered).toFixed(1))]));
    expect(goodput!.map(([, y]) => y)).toEqual([400, 600, 700, 400].map((v) => Number(yRate(v).toFixed(1))));
    expect(shed!.map(([, y]) => y)).toEqual([0, 150, 100, 0].map((v) => Number(yRate(v).toFixed(1))));
    expect(failed!.map(([, y]) => y)).toEqual([0, 50, 0, 0].map((v) => Number(yRate(v).toFixed(1))));
    // More goodput is drawn higher; the axis tops out at 1,000 (800 rounded up).
    expect(goodput![2]![1]).toBeLessThan(goodput![0]![1]);
    expect(svg).toContain('>1000</text>');
    // Three phases, each labelled once where it starts.
    for (const label of ['knee', '2× knee', 'knee again']) expect(svg.split(`>${label}</text>`)).toHaveLength(2);
  });

  it('breaks the p99 line over seconds with nothing accepted, and draws the budget', () => {
    const seconds = [
      sec(0, 'cold', 100, 90, 0, 50),
      sec(1, 'cold', 100, 0, 0, 0, 100),
      sec(2, 'cold', 100, 100, 0, 1000),
      sec(3, 'cold', 100, 100, 0, 10),
    ];
    const svg = timelineSvg('cold start', seconds, 100);
    const { yMs } = scales(4, 100);
    const p99 = lines(svg, '#0969da');
    expect(p99.map((l) => l.length)).toEqual([1, 2]);
    // Log scale: 1 s sits three quarters of the way up from 1 ms to 10 s, 10 ms a quarter.
    expect(p99[1]!.map(([, y]) => y)).toEqual([Number(yMs(1000).toFixed(1)), Number(yMs(10).toFixed(1))]);
    expect(yMs(1) - yMs(10)).toBeCloseTo(yMs(1000) - yMs(10_000));
    expect(svg).toContain(`y1="${yMs(100).toFixed(1)}"`);
    expect(svg).toContain('budget 100 ms');
  });

  it('escapes the title', () => {
    expect(timelineSvg('a < b & "c"', [sec(0, 'x', 1, 1, 0, 1)], 100)).toContain('a &lt; b &amp; &quot;c&quot;');
  });
});
