// My consultations (`/{lang}/consultations/bookings`): upcoming or past, cancel; after the
// hosted checkout it waits for the payment webhook to confirm the booking. A held session
// shows the specialist's note and, until reviewed, a review form (one review per session).
import { api, errorMessage } from '../lib/api';
import { type Booking, priceText, visitorZone, whenText } from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { href, locale, tc } from '../lib/i18n-client';
import { returnedFromCheckout } from '../lib/payments';
import { requireUser } from '../lib/session';
import type { Page } from '../lib/types';

const region = byId('consult-bookings-region');
const list = byId('consult-bookings');
const more = byId<HTMLButtonElement>('consult-more');
const upcomingButton = byId<HTMLButtonElement>('consult-upcoming');
const pastButton = byId<HTMLButtonElement>('consult-past');
const returnLine = byId('consult-return');
let when: 'upcoming' | 'past' = 'upcoming';
let cursor: string | null = null;
let generation = 0;

function statusText(b: Booking): string {
  const parts = [tc(`consult.status.${b.status}` as 'consult.status.hold')];
  if (b.refund !== 'none') parts.push(tc(`consult.refund.${b.refund}` as 'consult.refund.done'));
  return parts.join(' · ');
}

function item(b: Booking): HTMLLIElement {
  const cancellable = (b.status === 'confirmed' || b.status === 'hold') && Date.parse(b.startsAt) > Date.now();
  const cancel = cancellable
    ? h('button', { type: 'button', class: 'button button--secondary', 'data-cancel': b.id }, tc('consult.cancel'))
    : null;
  // Moving keeps the session type and the payment: the same picker, in reschedule mode.
  const move =
    b.status === 'confirmed' && Date.parse(b.startsAt) > Date.now()
      ? h(
          'a',
          {
            class: 'button button--secondary',
            href: href(
              `/consultations/specialist?id=${encodeURIComponent(b.specialist.id)}&type=${encodeURIComponent(b.sessionTypeId)}&reschedule=${encodeURIComponent(b.id)}`,
            ),
          },
          tc('consult.reschedule'),
        )
      : null;
  return h(
    'li',
    { class: 'consult-card', 'data-booking': b.id, 'data-status': b.status, 'data-refund': b.refund },
    h('h2', {}, h('time', { datetime: b.startsAt }, whenText(b.startsAt, locale()))),
    h(
      'p',
      {},
      tc('consult.with', { name: b.specialist.name }),
      b.child ? ` · ${tc('consult.forChild', { name: b.child.name })}` : '',
      ` · ${tc('consult.minutes', { count: b.durationMinutes })} · ${priceText(b.price, locale())}`,
    ),
    h('p', { 'data-status-text': '' }, statusText(b)),
    b.note ? h('p', { 'data-note': '' }, tc('consult.note', { note: b.note })) : null,
    b.review ? h('p', { 'data-review': '' }, tc('consult.review.yours', { rating: b.review.rating })) : null,
    b.status === 'completed' && !b.review ? reviewForm(b) : null,
    h('p', { class: 'consult-week' }, move, cancel),
  );
}

function reviewForm(b: Booking): HTMLFormElement {
  const id = (part: string) => `consult-review-${part}-${b.id}`;
  return h(
    'form',
    { class: 'consult-form', 'data-review-form': b.id, 'aria-labelledby': id('title') },
    h('h3', { id: id('title') }, tc('consult.review.title')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: id('rating') }, tc('consult.review.rating')),
      h('select', { id: id('rating'), name: 'rating' }, ...[5, 4, 3, 2, 1].map((n) => h('option', { value: n }, `${'★'.repeat(n)} ${n}`))),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: id('text') }, tc('consult.review.text')),
      h('textarea', { id: id('text'), name: 'text', rows: 3, maxlength: 2000 }),
    ),
    h('button', { type: 'submit', class: 'button' }, tc('consult.review.submit')),
  );
}

async function load(reset: boolean): Promise<void> {
  const mine = ++generation;
  if (reset) {
    cursor = null;
    list.replaceChildren();
    setState(region, 'loading');
  }
  try {
    const page = await api.get<Page<Booking>>('/api/bookings', { query: { when, limit: 20, cursor }, lang: false });
    // A tab switch while the first page loads: only the latest request fills the list.
    if (mine !== generation) return;
    list.append(...page.items.map(item));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    setState(region, list.childElementCount ? 'ready' : 'empty');
  } catch (error) {
    if (mine === generation) setState(region, 'error', errorMessage(error));
  }
}

function show(which: 'upcoming' | 'past'): void {
  when = which;
  upcomingButton.setAttribute('aria-pressed', String(which === 'upcoming'));
  pastButton.setAttribute('aria-pressed', String(which === 'past'));
  void load(true);
}

/** Back from the hosted checkout: the webhook confirms the booking shortly (queued, maybe twice). */
async function confirmReturn(bookingId: string, result: 'success' | 'declined' | 'canceled'): Promise<void> {
  returnLine.hidden = false;
  if (result !== 'success') {
    returnLine.textContent = tc('consult.declined');
    return;
  }
  returnLine.textContent = tc('consult.confirming');
  for (let i = 0; i < 60; i++) {
    const b = await api.get<Booking>(`/api/bookings/${encodeURIComponent(bookingId)}`, { lang: false }).catch(() => null);
    if (b && b.status !== 'hold') {
      returnLine.textContent = b.status === 'confirmed' ? tc('consult.paid') : statusText(b);
      await load(true);
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

list.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-cancel]');
  if (!button || !confirm(tc('consult.cancelConfirm'))) return;
  button.disabled = true;
  void api
    .post<Booking>(`/api/bookings/${encodeURIComponent(button.dataset.cancel ?? '')}/cancel`)
    .then((b) => button.closest('li')?.replaceWith(item(b)))
    .catch((error: unknown) => {
      button.disabled = false;
      returnLine.hidden = false;
      returnLine.textContent = errorMessage(error);
    });
});
list.addEventListener('submit', (event) => {
  const form = (event.target as HTMLElement).closest<HTMLFormElement>('form[data-review-form]');
  if (!form) return;
  event.preventDefault();
  const data = new FormData(form);
  const text = String(data.get('text') ?? '').trim();
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  void api
    .post<Booking>(`/api/bookings/${encodeURIComponent(form.dataset.reviewForm ?? '')}/review`, {
      rating: Number(data.get('rating')),
      ...(text ? { text } : {}),
    })
    .then((b) => {
      form.closest('li')?.replaceWith(item(b));
      returnLine.hidden = false;
      returnLine.textContent = tc('consult.review.thanks');
    })
    .catch((error: unknown) => {
      if (button) button.disabled = false;
      returnLine.hidden = false;
      returnLine.textContent = errorMessage(error);
    });
});
upcomingButton.addEventListener('click', () => show('upcoming'));
pastButton.addEventListener('click', () => show('past'));
more.addEventListener('click', () => void load(false));

void (async () => {
  setState(region, 'loading');
  if (!(await requireUser())) return;
  byId('consult-zone').textContent = tc('consult.zoneNote', { zone: visitorZone() });
  const returned = returnedFromCheckout();
  const bookingId = new URLSearchParams(location.search).get('booking');
  await load(true);
  if (returned && bookingId) await confirmReturn(bookingId, returned.result);
})();
