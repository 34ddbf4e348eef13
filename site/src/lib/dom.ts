// Tiny DOM helpers. Data from the API only ever enters the page as text nodes
// (never innerHTML), so user-written titles cannot inject markup.

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | number | null | undefined | false;

/** `h('a', { href: '/x', class: 'link' }, 'text', h('span', {}, '!'))` */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** The element with this id, or an error naming the missing id (a markup bug). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

/**
 * The id in a shell page's URL: `/ru/courses/abc123` → `abc123`. In `astro dev`, where
 * only the shell itself (`/ru/courses/_`) exists, `?id=` works too.
 */
export function routeId(section: string): string | null {
  const match = new RegExp(`^/[a-z]{2}/${section}/([^/]+)/?$`).exec(location.pathname);
  const fromPath = match?.[1] ? decodeURIComponent(match[1]) : null;
  const id = fromPath && fromPath !== '_' ? fromPath : new URLSearchParams(location.search).get('id');
  return id || null;
}

/**
 * Toggle a region (Status.astro) between its states: children marked
 * `data-state="loading|ready|empty|error|…"` are shown when their state is active; an
 * optional message replaces the active child's text. Empty and error outcomes are
 * announced to screen readers; the region gets aria-busy while loading.
 */
export function setState(container: HTMLElement, state: string, message?: string): void {
  container.setAttribute('aria-busy', String(state === 'loading'));
  let active: HTMLElement | undefined;
  for (const node of container.querySelectorAll<HTMLElement>(':scope > [data-state]')) {
    const isActive = node.dataset.state === state;
    node.hidden = !isActive;
    if (isActive) active = node;
  }
  if (active && message !== undefined) active.textContent = message;
  if (active && state !== 'loading' && state !== 'ready') announce(container, active.textContent ?? '');
}

/** Say a short message through the region's polite `[data-announce]` line. */
export function announce(container: HTMLElement, message: string): void {
  const line = container.querySelector<HTMLElement>('[data-announce]');
  if (!line) return;
  line.textContent = '';
  // A fresh text node after a tick makes repeated messages be read again.
  window.setTimeout(() => {
    line.textContent = message;
  }, 50);
}
