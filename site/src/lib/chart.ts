// Dashboard charts: hand-written SVG bars, no library. A chart library would cost most of a
// page's 50 KB budget; these few dozen lines draw what the dashboards need, and every chart
// is a <figure> with a title, axis labels and its values as a real table for screen readers
// (the SVG itself is one labelled image). Data enters only as text nodes and attributes.
import { h } from './dom';
import { tc } from './i18n-client';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 220;
const PAD = { left: 44, right: 8, top: 10, bottom: 40 };

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** CSS class of the bars (colour from the palette). */
  cls: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  labels: string[];
  series: ChartSeries[];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A grouped bar chart with its data table. */
export function barChart(spec: ChartSpec): HTMLElement {
  const titleId = `${spec.id}-title`;
  const max = Math.max(1, ...spec.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(1, spec.labels.length);
  const slot = plotW / n;
  const barW = Math.max(1, (slot * 0.8) / Math.max(1, spec.series.length));

  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-labelledby': titleId,
    class: 'chart__svg',
    preserveAspectRatio: 'none',
  });
  root.append(svg('title', { id: titleId }, spec.title));
  // Axes: zero and the maximum on y, the first and last period on x.
  root.append(
    svg('line', { x1: PAD.left, y1: PAD.top + plotH, x2: W - PAD.right, y2: PAD.top + plotH, class: 'chart__axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH, class: 'chart__axis' }),
    svg('text', { x: PAD.left - 4, y: PAD.top + 10, 'text-anchor': 'end', class: 'chart__tick' }, String(max)),
    svg('text', { x: PAD.left - 4, y: PAD.top + plotH, 'text-anchor': 'end', class: 'chart__tick' }, '0'),
  );
  if (spec.labels.length) {
    root.append(svg('text', { x: PAD.left, y: H - 22, class: 'chart__tick' }, spec.labels[0]!));
    if (spec.labels.length > 1) {
      root.append(
        svg('text', { x: W - PAD.right, y: H - 22, 'text-anchor': 'end', class: 'chart__tick' }, spec.labels[spec.labels.length - 1]!),
      );
    }
  }
  root.append(svg('text', { x: PAD.left + plotW / 2, y: H - 4, 'text-anchor': 'middle', class: 'chart__label' }, spec.xLabel));
  spec.labels.forEach((_, i) => {
    spec.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      if (!v) return;
      const bh = (v / max) * plotH;
      root.append(
        svg('rect', {
          x: PAD.left + i * slot + slot * 0.1 + j * barW,
          y: PAD.top + plotH - bh,
          width: barW,
          height: bh,
          class: `chart__bar ${s.cls}`,
        }),
      );
    });
  });

  const legend = h(
    'ul',
    { class: 'chart__legend' },
    ...spec.series.map((s) => h('li', {}, h('span', { class: `chart__swatch ${s.cls}`, 'aria-hidden': 'true' }), s.label)),
  );
  const table = h(
    'table',
    { class: 'chart__table' },
    h('caption', {}, spec.title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, spec.xLabel), ...spec.series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h(
      'tbody',
      {},
      ...spec.labels.map((label, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          ...spec.series.map((s) => h('td', {}, s.values[i] === null ? '—' : String(s.values[i]))),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart', id: spec.id },
    h('figcaption', { class: 'chart__title' }, spec.title, h('span', { class: 'chart__y' }, ` (${spec.yLabel})`)),
    root as unknown as Node,
    legend,
    h('details', { class: 'chart__details' }, h('summary', {}, tc('dash.table')), table),
  );
}

/** Text in the page language, else any language there is. */
export function pick(t: { ru?: string; kk?: string; en?: string } | null | undefined): string {
  if (!t) return '';
  const lang = document.documentElement.lang as 'ru' | 'kk' | 'en';
  return t[lang] ?? t.ru ?? t.kk ?? t.en ?? '';
}
