import { api } from '../lib/api';
import { createCourseList } from '../lib/course-list';
import { byId, h } from '../lib/dom';
import type { Category, CourseCard, Page } from '../lib/types';

const PAGE_SIZE = 12;
const FILTERS = ['category', 'language', 'level', 'price', 'minRating', 'sort'] as const;

const form = byId<HTMLFormElement>('catalog-filters');
const region = byId('catalog-results');
const categorySelect = byId<HTMLSelectElement>('filter-category');

function filtersFromUrl(): Record<string, string> {
  const params = new URLSearchParams(location.search);
  return Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? '']));
}

function filtersFromForm(): Record<string, string> {
  const data = new FormData(form);
  return Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) ?? '')]));
}

function fillForm(filters: Record<string, string>): void {
  for (const name of FILTERS) {
    const select = form.elements.namedItem(name);
    if (select instanceof HTMLSelectElement) select.value = filters[name] ?? '';
  }
}

let filters = filtersFromUrl();

const list = createCourseList({
  region,
  list: region.querySelector('ul')!,
  more: byId<HTMLButtonElement>('catalog-more'),
  fetchPage: (cursor, signal) => api.get<Page<CourseCard>>('/api/courses', { query: { ...filters, cursor, limit: PAGE_SIZE }, signal }),
});

async function loadCategories(): Promise<void> {
  try {
    const { items } = await api.get<Page<Category>>('/api/categories');
    categorySelect.append(...items.map((c) => h('option', { value: c.slug }, c.title)));
    categorySelect.value = filters.category ?? '';
  } catch {
    // The filter still works with "All"; the page notice covers outages.
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  filters = filtersFromForm();
  const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const query = params.toString();
  history.pushState(null, '', query ? `?${query}` : location.pathname);
  void list.reload();
});

window.addEventListener('popstate', () => {
  filters = filtersFromUrl();
  fillForm(filters);
  void list.reload();
});

fillForm(filters);
void loadCategories();
void list.reload();
