// A small line chart of one child's results for one test across attempts (oldest → newest),
// one line per scale. Accessible: the SVG is an image named by its caption, and the same
// numbers are in a table for screen readers (visually hidden).
import type { Result } from './assessments';
import { formatDateTime, localText } from './assessments';
import { h } from './dom';
import { tc } from './i18n-client';

const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 120;
const PAD = { left: 28, right: 10, top: 10, bottom: 18 };
const COLOURS = ['#1f73a0', '#b5462f', '#2f7d4b', '#7a4fa3'];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Node[]) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** Results of the same test with at least two attempts, grouped; null when there is nothing to compare. */
export function trends(results: Result[]): Result[][] {
  const byTest = new Map<string, Result[]>();
  for (const r of results) {
    if (r.kind !== 'assessment' || !r.scales.length) continue;
    byTest.set(r.testId, [...(byTest.get(r.testId) ?? []), r]);
  }
  return [...byTest.values()]
    .filter((list) => list.length >= 2)
    .map((list) => [...list].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt)));
}

export function trendChart(attempts: Result[], id: string): HTMLElement {
  const first = attempts[0]!;
  const title = localText(first.title);
  const scales = first.scales.slice(0, COLOURS.length);
  const captionId = `${id}-caption`;
  const x = (i: number) => PAD.left + (attempts.length === 1 ? 0 : (i * (W - PAD.left - PAD.right)) / (attempts.length - 1));
  const lines: SVGElement[] = [];
  scales.forEach((scale, si) => {
    const colour = COLOURS[si]!;
    const y = (score: number) => {
      const range = scale.max - scale.min || 1;
      return PAD.top + (1 - (score - scale.min) / range) * (H - PAD.top - PAD.bottom);
    };
    const points = attempts
      .map((r, i) => {
        const s = r.scales.find((x) => x.key === scale.key);
        return s ? { x: x(i), y: y(s.score), s, r } : null;
      })
      .filter((p) => p !== null);
    lines.push(svg('polyline', { points: points.map((p) => `${p.x},${p.y}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }));
    for (const p of points)
      lines.push(svg('circle', { cx: p.x, cy: p.y, r: 3.5, fill: colour }, svg('title', {}, document.createTextNode(`${p.s.score}`))));
  });
  const axis = svg(
    'g',
    { 'aria-hidden': 'true', class: 'trend__axis' },
    svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, stroke: 'currentColor', 'stroke-opacity': 0.3 }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, stroke: 'currentColor', 'stroke-opacity': 0.3 }),
    svg(
      'text',
      { x: PAD.left - 4, y: PAD.top + 4, 'text-anchor': 'end', 'font-size': 10 },
      document.createTextNode(tc('parent.trendHigh')),
    ),
    svg(
      'text',
      { x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end', 'font-size': 10 },
      document.createTextNode(tc('parent.trendLow')),
    ),
    ...attempts.map((_r, i) =>
      svg('text', { x: x(i), y: H - 4, 'text-anchor': 'middle', 'font-size': 10 }, document.createTextNode(String(i + 1))),
    ),
  );
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': captionId, class: 'trend__svg', focusable: 'false' },
    axis,
    ...lines,
  );

  const legend = h(
    'ul',
    { class: 'trend__legend' },
    ...scales.map((s, si) => {
      const name = localText(s.title);
      const path = attempts.map((r) => r.scales.find((x) => x.key === s.key)?.score ?? '—').join(' → ');
      return h(
        'li',
        {},
        h('span', { class: `trend__swatch trend__swatch--${si}`, 'aria-hidden': 'true' }),
        h('span', { lang: name.lang }, name.text || s.key),
        `: ${path}`,
      );
    }),
  );
  // Hidden in a wrapper, not on the table itself: a table is never narrower than its
  // content, so a 1 px "visually-hidden" table still widened the page on a phone.
  const table = h(
    'table',
    {},
    h('caption', {}, tc('parent.trend', { title: title.text })),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, tc('parent.trendDate')),
        ...scales.map((s) => h('th', { scope: 'col' }, localText(s.title).text || s.key)),
      ),
    ),
    h(
      'tbody',
      {},
      ...attempts.map((r) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, formatDateTime(r.submittedAt, false)),
          ...scales.map((s) => {
            const v = r.scales.find((x) => x.key === s.key);
            return h('td', {}, v ? `${v.score} / ${v.max}${v.band ? ` (${localText(v.band.label).text})` : ''}` : '—');
          }),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'trend', id, 'data-test-id': first.testId },
    h('figcaption', { id: captionId, lang: title.lang }, tc('parent.trend', { title: title.text })),
    chart as unknown as HTMLElement,
    legend,
    h('div', { class: 'visually-hidden' }, table),
  );
}
