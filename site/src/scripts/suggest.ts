// Suggestions while typing in every search box (components/SearchForm.astro), after the
// WAI-ARIA APG "combobox with listbox popup": focus stays in the input, the arrow keys move the
// active option (aria-activedescendant), Enter opens it, Escape closes the list, and the count
// is announced. Without JavaScript the box is a plain search form.
import { api } from '../lib/api';
import { highlighted } from '../lib/courses';
import { h } from '../lib/dom';
import { href, locale, pageLang } from '../lib/i18n-client';
import { formatMessage, type Message } from '../i18n/format';
import type { Suggestion } from '../lib/types';

const DEBOUNCE_MS = 120;
const MIN_CHARS = 2;

interface Strings {
  course: string;
  test: string;
  count: Message;
}

const urlOf = (s: Suggestion) =>
  s.kind === 'course' ? href(`/courses/${encodeURIComponent(s.id)}`) : href(`/tests?test=${encodeURIComponent(s.id)}`);

function setup(form: HTMLFormElement): void {
  const found = [
    form.querySelector<HTMLInputElement>('input[name="q"]'),
    form.querySelector<HTMLUListElement>('[role="listbox"]'),
    form.querySelector<HTMLElement>('[data-suggest-status]'),
  ] as const;
  if (!found[0] || !found[1] || !found[2]) return;
  const [input, listbox, status] = found as unknown as [HTMLInputElement, HTMLUListElement, HTMLElement];
  const strings = JSON.parse(form.dataset.strings ?? '{}') as Strings;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', listbox.id);
  input.setAttribute('aria-expanded', 'false');

  let items: Suggestion[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;

  function close(): void {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(index: number): void {
    const options = listbox.querySelectorAll<HTMLElement>('[role="option"]');
    for (const [i, o] of options.entries()) o.setAttribute('aria-selected', String(i === index));
    active = index;
    const option = options[index];
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function show(list: Suggestion[]): void {
    items = list;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    listbox.replaceChildren(
      ...list.map((s, i) =>
        h(
          'li',
          { id: `${listbox.id}-${i}`, role: 'option', 'aria-selected': 'false', class: 'suggestion', 'data-kind': s.kind },
          h('span', { class: 'suggestion__title', lang: s.titleLang !== pageLang() ? s.titleLang : undefined }, highlighted(s.highlight)),
          h('span', { class: 'suggestion__kind' }, s.kind === 'course' ? strings.course : strings.test),
        ),
      ),
    );
    const open = list.length > 0;
    listbox.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    status.textContent = open ? formatMessage(strings.count, locale(), { count: list.length }) : '';
  }

  async function fetchSuggestions(q: string): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    try {
      const page = await api.get<{ items: Suggestion[] }>('/api/search/suggest', { query: { q }, signal: current.signal });
      if (!current.signal.aborted && input.value.trim() === q) show(page.items);
    } catch {
      // Suggestions are a convenience: a failed one leaves the plain search box.
      if (!current.signal.aborted) close();
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < MIN_CHARS) {
      controller?.abort();
      close();
      return;
    }
    timer = setTimeout(() => void fetchSuggestions(q), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const open = !listbox.hidden && items.length > 0;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!open) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      // Past either end: back to the input (no option active), as the APG pattern allows.
      const next = active + step;
      highlight(next < -1 ? items.length - 1 : next >= items.length ? -1 : next);
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      location.assign(urlOf(items[active]!));
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    }
  });

  // mousedown, not click: the input keeps focus (no blur closing the list first).
  listbox.addEventListener('mousedown', (event) => {
    const option = (event.target as HTMLElement).closest<HTMLElement>('[role="option"]');
    if (!option) return;
    event.preventDefault();
    const index = [...listbox.children].indexOf(option);
    if (items[index]) location.assign(urlOf(items[index]));
  });
  input.addEventListener('blur', close);
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-suggest]')) setup(form);
