// Shell pages (`/{lang}/courses/_/index.html` and friends) serve every id: the Worker
// rewrites `/{lang}/courses/<id>` to the shell, and the shell reads the id from the URL.
import { errorMessage, isApiError } from './api';
import { routeId, setState } from './dom';
import { tc } from './i18n-client';

export interface ShellOptions<T> {
  /** URL segment after the language: 'courses', 'lessons', 'attempts', 'results'. */
  section: string;
  /** The Status.astro region of the page (needs data-state="ready" and "notfound" children). */
  region: HTMLElement;
  load: (id: string) => Promise<T>;
  render: (data: T, id: string) => void;
}

/** Load the record named in the URL and render it, or show not-found / forbidden / error. */
export async function loadShell<T>({ section, region, load, render }: ShellOptions<T>): Promise<void> {
  const id = routeId(section);
  if (!id) return setState(region, 'notfound');
  // Rendered at the edge (workers/site/pages.ts): the content is already there, so keep it
  // on screen while the islands load (no blank flash, no layout shift).
  const prerendered = region.hasAttribute('data-prerendered');
  if (!prerendered) setState(region, 'loading');
  try {
    const data = await load(id);
    render(data, id);
    setState(region, 'ready');
  } catch (error) {
    if (prerendered) return;
    if (isApiError(error) && error.status === 404) setState(region, 'notfound');
    else if (isApiError(error) && error.status === 403) setState(region, 'error', tc('common.forbidden'));
    else setState(region, 'error', errorMessage(error));
  }
}

/** Set the page's h1 and <title> once the record's title is known. */
export function setPageTitle(heading: HTMLElement, title: string, lang?: string): void {
  heading.textContent = title;
  if (lang) heading.setAttribute('lang', lang);
  document.title = `${title} — Sabaq`;
}
