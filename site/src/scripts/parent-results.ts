// Parent page, per child: the results history (GET /api/me/results?childId=, newest first,
// "show more" by cursor) with links to each result, and a way to take an assessment for
// this child. parent.ts redraws its list often, so loaded pages are kept per child.
import { api, errorMessage } from '../lib/api';
import { formatDateTime, localText, resultUrl, type Result } from '../lib/assessments';
import { h } from '../lib/dom';
import { href, tc } from '../lib/i18n-client';
import { trendChart, trends } from '../lib/trend-chart';
import type { Child, Page } from '../lib/types';

const PAGE_SIZE = 5;

interface History {
  items: Result[];
  nextCursor: string | null;
  loading: Promise<void> | null;
  error: string;
}

const histories = new Map<string, History>();

/** "Anxiety: elevated, Mood: steady" for an assessment, "70%" for a quiz. */
function summary(r: Result): string {
  if (r.score !== undefined) return `${Math.round(r.score * 100)}%`;
  return r.scales
    .filter((s) => s.band)
    .map((s) => `${localText(s.title).text || s.key}: ${localText(s.band!.label).text}`)
    .join(', ');
}

function resultItem(r: Result): HTMLLIElement {
  const title = localText(r.title);
  const extra = [formatDateTime(r.submittedAt), summary(r)].filter(Boolean).join(' · ');
  return h(
    'li',
    { 'data-result-id': r.id },
    h('a', { href: resultUrl(r.id), lang: title.lang }, title.text),
    h('span', { class: 'muted' }, ` · ${extra}`),
  );
}

function load(childId: string, history: History): Promise<void> {
  history.loading ??= api
    .get<Page<Result>>('/api/me/results', {
      query: { childId, limit: PAGE_SIZE, cursor: history.items.length ? history.nextCursor : null },
    })
    .then(
      (page) => {
        history.items.push(...page.items);
        history.nextCursor = page.nextCursor;
        history.error = '';
      },
      (error: unknown) => {
        history.error = errorMessage(error);
      },
    )
    .finally(() => {
      history.loading = null;
    });
  return history.loading;
}

/** The results block of one child's entry in the list. */
export function childResults(child: Child): HTMLElement {
  let history = histories.get(child.id);
  if (!history) {
    history = { items: [], nextCursor: null, loading: null, error: '' };
    histories.set(child.id, history);
  }
  const state = history;
  const headingId = `child-results-${child.id}`;
  const list = h('ul', { class: 'child-results__list' });
  const status = h('p', { class: 'muted', role: 'status' });
  const charts = h('div', { class: 'child-results__trends' });
  const more = h('button', { type: 'button', class: 'link-button child-results__more', hidden: true }, tc('parent.moreResults'));
  const take = h(
    'a',
    {
      class: 'button button--secondary button--small',
      href: `${href('/tests')}?kind=assessment&child=${encodeURIComponent(child.id)}`,
      'data-take-test': child.id,
    },
    tc('parent.takeTest'),
    h('span', { class: 'visually-hidden' }, `: ${child.name}`),
  );

  const show = () => {
    list.replaceChildren(...state.items.map(resultItem));
    charts.replaceChildren(...trends(state.items).map((attempts) => trendChart(attempts, `trend-${child.id}-${attempts[0]!.testId}`)));
    list.hidden = !state.items.length;
    status.textContent =
      state.error || (state.loading && !state.items.length ? tc('common.loading') : state.items.length ? '' : tc('parent.noResults'));
    more.hidden = !state.nextCursor || Boolean(state.error);
  };

  more.addEventListener('click', async () => {
    const first = state.items.length;
    await load(child.id, state);
    show();
    list.children[first]?.querySelector('a')?.focus();
  });

  if (!state.items.length && !state.loading) void load(child.id, state).then(show);
  else if (state.loading) void state.loading.then(show);
  show();

  return h(
    'section',
    { class: 'child-results', 'aria-labelledby': headingId },
    h(
      'h3',
      { class: 'child-results__title', id: headingId },
      h('span', {}, tc('parent.results')),
      h('span', { class: 'visually-hidden' }, `: ${child.name}`),
    ),
    status,
    charts,
    list,
    more,
    h('p', { class: 'child-results__take' }, take),
  );
}
