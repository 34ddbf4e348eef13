// The specialist directory (`/{lang}/consultations`): filters (a free time within N days too),
// newest first or the soonest free time first, page by page; each card names its next free
// time in the visitor's zone.
import { api, errorMessage } from '../lib/api';
import { type Specialist, priceText, specialtyText, whenText } from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { href, locale, tc } from '../lib/i18n-client';
import type { Page } from '../lib/types';

const region = byId('consult-directory');
const cards = byId('consult-cards');
const more = byId<HTMLButtonElement>('consult-more');
const form = byId<HTMLFormElement>('consult-filters');
let cursor: string | null = null;
/** Only the latest request may fill the list (a filter change while the first page loads). */
let generation = 0;

function filters(): Record<string, string> {
  const data = new FormData(form);
  const out: Record<string, string> = {};
  const specialty = String(data.get('specialty') ?? '');
  const language = String(data.get('language') ?? '');
  const maxPrice = String(data.get('maxPrice') ?? '');
  const freeWithinDays = String(data.get('freeWithinDays') ?? '');
  const sort = String(data.get('sort') ?? '');
  if (specialty) out.specialty = specialty;
  // The default order stays out of the URL (and of its cache key).
  if (sort === 'next_free') out.sort = sort;
  if (freeWithinDays) out.freeWithinDays = freeWithinDays;
  if (language) out.language = language;
  // Tenge in the form, minor units (tiyn) in the API.
  if (maxPrice && Number(maxPrice) >= 0) out.maxPrice = String(Math.round(Number(maxPrice) * 100));
  return out;
}

function card(s: Specialist): HTMLLIElement {
  const cheapest = [...s.sessionTypes].sort((a, b) => a.price.amount - b.price.amount)[0];
  return h(
    'li',
    { class: 'consult-card', 'data-specialist': s.id },
    s.photoUrl ? h('img', { src: s.photoUrl, alt: '', loading: 'lazy', width: 64, height: 64 }) : null,
    h('h2', {}, h('a', { href: href(`/consultations/specialist?id=${encodeURIComponent(s.id)}`) }, s.name)),
    h('p', { class: 'consult-muted' }, s.specialties.map(specialtyText).join(', '), ' · ', s.languages.join(', ').toUpperCase()),
    h('p', {}, s.bio.length > 200 ? `${s.bio.slice(0, 200)}…` : s.bio),
    h(
      'p',
      { class: 'consult-muted' },
      s.rating.count ? tc('consult.rating', { average: s.rating.average, count: s.rating.count }) : tc('consult.noRating'),
      cheapest ? ` · ${tc('consult.from', { price: priceText(cheapest.price, locale()) })}` : '',
    ),
    h(
      'p',
      { 'data-next-free': s.nextFreeAt ?? '' },
      s.nextFreeAt ? tc('consult.nextFree', { time: whenText(s.nextFreeAt, locale()) }) : tc('consult.noFree'),
    ),
    h('a', { class: 'button', href: href(`/consultations/specialist?id=${encodeURIComponent(s.id)}`) }, tc('consult.open')),
  );
}

async function load(reset: boolean): Promise<void> {
  const mine = ++generation;
  if (reset) {
    cursor = null;
    cards.replaceChildren();
    setState(region, 'loading');
  }
  try {
    const page = await api.get<Page<Specialist>>('/api/specialists', { query: { ...filters(), limit: 20, cursor } });
    if (mine !== generation) return;
    cards.append(...page.items.map(card));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    setState(region, cards.childElementCount ? 'ready' : 'empty');
  } catch (error) {
    if (mine === generation) setState(region, 'error', errorMessage(error));
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void load(true);
});
more.addEventListener('click', () => void load(false));
void load(true);
