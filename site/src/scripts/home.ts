import { api, errorMessage } from '../lib/api';
import { courseCard } from '../lib/courses';
import { byId, h, setState } from '../lib/dom';
import { href } from '../lib/i18n-client';
import type { Category, CourseCard, Page } from '../lib/types';

const FEATURED_LIMIT = 6;

async function loadCategories(): Promise<void> {
  const region = byId('categories');
  const list = region.querySelector('ul')!;
  // Rendered at the edge (workers/site/lists.ts): keep the content while it refreshes.
  if (!region.hasAttribute('data-prerendered')) setState(region, 'loading');
  try {
    const { items } = await api.get<Page<Category>>('/api/categories');
    list.replaceChildren(
      ...items.map((c) => h('li', {}, h('a', { href: href(`/courses?category=${encodeURIComponent(c.slug)}`) }, c.title))),
    );
    setState(region, items.length ? 'ready' : 'empty');
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

async function loadFeatured(): Promise<void> {
  const region = byId('featured');
  const list = region.querySelector('ul')!;
  // Rendered at the edge (workers/site/lists.ts): keep the content while it refreshes.
  if (!region.hasAttribute('data-prerendered')) setState(region, 'loading');
  try {
    // `featured=true` is a catalog filter this page relies on; the client-side filter
    // keeps the section correct if the API ignores it.
    const { items } = await api.get<Page<CourseCard>>('/api/courses', { query: { featured: true, limit: FEATURED_LIMIT } });
    const featured = items.filter((c) => c.featured).slice(0, FEATURED_LIMIT);
    list.replaceChildren(...featured.map((c) => courseCard(c)));
    setState(region, featured.length ? 'ready' : 'empty');
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

void loadCategories();
void loadFeatured();
