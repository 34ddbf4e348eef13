// A cursor-paginated list of course cards inside a Status.astro region, with a
// "show more" button. Used by the catalog and the search page.
import { errorMessage } from './api';
import { courseCard } from './courses';
import { announce, setState } from './dom';
import { tc } from './i18n-client';
import type { CourseCard, Page } from './types';

export interface CourseListOptions<T = CourseCard, P extends Page<T> = Page<T>> {
  region: HTMLElement;
  list: HTMLUListElement;
  more: HTMLButtonElement;
  /** Fetches one page; the signal aborts it when a newer load starts. */
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<P>;
  /** One list item (default: a course card). */
  render?: (item: T) => HTMLLIElement;
  /** Called with each first page (e.g. to show its result count). */
  onFirstPage?: (page: P) => void;
}

export interface CourseList {
  /** Start over from the first page (new filters or query). */
  reload(): Promise<void>;
}

export function createCourseList<T = CourseCard, P extends Page<T> = Page<T>>({
  region,
  list,
  more,
  fetchPage,
  render = (item) => courseCard(item as CourseCard),
  onFirstPage,
}: CourseListOptions<T, P>): CourseList {
  let cursor: string | null = null;
  let controller: AbortController | null = null;
  let total = 0;

  async function load(reset: boolean): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    if (reset) {
      cursor = null;
      total = 0;
      // The first page rendered at the edge stays on screen while it is fetched again
      // (workers/site/lists.ts); later reloads (new filters) show the loading state.
      if (!region.hasAttribute('data-prerendered')) {
        setState(region, 'loading');
        more.hidden = true;
      }
      region.removeAttribute('data-prerendered');
    } else {
      more.setAttribute('aria-disabled', 'true');
    }

    try {
      const page = await fetchPage(cursor, current.signal);
      if (current.signal.aborted) return;
      if (reset) onFirstPage?.(page);
      const cards = page.items.map(render);
      if (reset) list.replaceChildren(...cards);
      else list.append(...cards);
      total += cards.length;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      setState(region, total ? 'ready' : 'empty');
      if (!reset && cards.length) {
        announce(region, tc('catalog.loaded', { count: total }));
        // Continue from the first new course rather than losing focus when the button hides.
        cards[0]?.querySelector<HTMLElement>('a')?.focus();
      }
    } catch (error) {
      if (current.signal.aborted) return;
      if (reset) setState(region, 'error', errorMessage(error));
      else announce(region, errorMessage(error));
    } finally {
      more.removeAttribute('aria-disabled');
    }
  }

  more.addEventListener('click', () => {
    if (more.getAttribute('aria-disabled') !== 'true') void load(false);
  });

  return { reload: () => load(true) };
}
