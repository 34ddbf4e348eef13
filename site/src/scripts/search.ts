import { api } from '../lib/api';
import { createCourseList } from '../lib/course-list';
import { byId, setState } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import type { CourseCard, Page } from '../lib/types';

const PAGE_SIZE = 12;
// Catalog filters passed through from the URL (e.g. a link from the catalog page).
const FILTERS = ['category', 'language', 'level', 'price', 'minRating'] as const;

const params = new URLSearchParams(location.search);
const q = (params.get('q') ?? '').trim();
const input = byId<HTMLInputElement>('search-q');
const region = byId('search-results');
const heading = byId('search-results-title');

input.value = q;

if (!q) {
  setState(region, 'prompt');
} else {
  heading.textContent = tc('search.resultsFor', { q });
  document.title = `${tc('search.resultsFor', { q })} — Sabaq`;
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name)]));
  const list = createCourseList({
    region,
    list: region.querySelector('ul')!,
    more: byId<HTMLButtonElement>('search-more'),
    fetchPage: (cursor, signal) => api.get<Page<CourseCard>>('/api/search', { query: { q, ...filters, cursor, limit: PAGE_SIZE }, signal }),
  });
  void list.reload();
}
