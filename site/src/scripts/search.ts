import { api } from '../lib/api';
import { kindName, minutesOf } from '../lib/assessments';
import { createCourseList } from '../lib/course-list';
import { courseCard, highlighted } from '../lib/courses';
import { byId, h, setState } from '../lib/dom';
import { href, pageLang, tc } from '../lib/i18n-client';
import type { SearchHit, SearchPage, TestHit } from '../lib/types';

const PAGE_SIZE = 12;
// Catalog filters passed through from the URL (e.g. a link from the catalog page).
const FILTERS = ['category', 'language', 'level', 'price', 'minRating'] as const;
const SORTS = ['relevance', 'newest', 'rating', 'popularity'] as const;

const params = new URLSearchParams(location.search);
const q = (params.get('q') ?? '').trim();
const input = byId<HTMLInputElement>('search-q');
const region = byId('search-results');
const heading = byId('search-results-title');
const count = byId('search-count');
const sortSelect = byId<HTMLSelectElement>('search-sort');
const sortForm = byId('search-sort-form');

input.value = q;
const sort = SORTS.find((s) => s === params.get('sort')) ?? 'relevance';
sortSelect.value = sort;

/** The URL of a test found by search: the tests page opens with it on top. */
const testUrl = (id: string) => href(`/tests?test=${encodeURIComponent(id)}`);

function testCard(test: TestHit): HTMLLIElement {
  const lang = test.titleLang !== pageLang() ? test.titleLang : undefined;
  const facts = [
    tc('tests.questions', { count: test.questionCount }),
    test.timeLimitSec ? tc('tests.timeLimit', { minutes: minutesOf(test.timeLimitSec) }) : tc('tests.noTimeLimit'),
  ].join(' · ');
  return h(
    'li',
    { class: 'card', 'data-kind': 'test' },
    h(
      'article',
      { class: 'course-card' },
      h('p', { class: 'tag' }, `${tc('search.kindTest')} · ${kindName(test.testKind)}`),
      h('h3', { class: 'course-card__title', lang }, h('a', { href: testUrl(test.id), class: 'card__link' }, highlighted(test.highlight))),
      test.description ? h('p', { class: 'course-card__summary', lang }, test.description) : null,
      h('p', { class: 'muted' }, facts),
    ),
  );
}

const render = (hit: SearchHit) => {
  if (hit.kind === 'test') return testCard(hit);
  const card = courseCard(hit);
  card.dataset.kind = 'course';
  return card;
};

if (!q) {
  setState(region, 'prompt');
  sortForm.hidden = true;
} else {
  heading.textContent = tc('search.resultsFor', { q });
  document.title = `${tc('search.resultsFor', { q })} — Sabaq`;
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name)]));
  const list = createCourseList<SearchHit, SearchPage>({
    region,
    list: region.querySelector('ul')!,
    more: byId<HTMLButtonElement>('search-more'),
    render,
    onFirstPage: (page) => {
      const total = page.total;
      count.textContent = !total
        ? ''
        : total.capped
          ? tc('search.countCapped', { count: total.count })
          : tc('search.count', { count: total.count });
    },
    fetchPage: (cursor, signal) =>
      api.get<SearchPage>('/api/search', {
        query: { q, ...filters, sort: sortSelect.value === 'relevance' ? null : sortSelect.value, cursor, limit: PAGE_SIZE },
        signal,
      }),
  });
  void list.reload();
  // Changing the order reloads in place and keeps it in the URL (the form works without JS too).
  sortSelect.addEventListener('change', () => {
    const url = new URL(location.href);
    if (sortSelect.value === 'relevance') url.searchParams.delete('sort');
    else url.searchParams.set('sort', sortSelect.value);
    history.replaceState(null, '', url.pathname + url.search);
    void list.reload();
  });
}
