// A specialist's profile and slot picker (`/{lang}/consultations/specialist?id=…`). Slots
// come as instants and are shown in the visitor's own zone, which the page names.
import { api, errorMessage, loginUrl } from '../lib/api';
import { type BookingResult, type FreeSlots, type Specialist, priceText, specialtyText, visitorZone } from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { href, locale, tc } from '../lib/i18n-client';
import { getMe } from '../lib/session';
import type { Child, Page } from '../lib/types';

const region = byId('consult-profile');
const typeSelect = byId<HTMLSelectElement>('consult-type');
const forField = byId('consult-for-field');
const forSelect = byId<HTMLSelectElement>('consult-for');
const slotsRegion = byId('consult-slots-region');
const slotsBox = byId('consult-slots');
const chosenLine = byId('consult-chosen');
const bookButton = byId<HTMLButtonElement>('consult-book');
const statusLine = byId('consult-book-status');
const params = new URLSearchParams(location.search);
const id = params.get('id') ?? '';
/** Moving an existing booking: the same picker, and the button reschedules instead of booking. */
const rescheduling = params.get('reschedule');
const DAYS = 7;
let weekOffset = 0;
let specialist: Specialist | undefined;
let chosen: string | null = null;
/** Only the latest slots request may fill the picker (quick week or type changes). */
let slotsGeneration = 0;

const isoDay = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function selectedType() {
  return specialist?.sessionTypes.find((t) => t.id === typeSelect.value);
}

function updateBookLabel(): void {
  if (rescheduling) {
    bookButton.textContent = tc('consult.reschedule');
    return;
  }
  const type = selectedType();
  bookButton.textContent =
    type && type.price.amount > 0 ? tc('consult.bookPay', { price: priceText(type.price, locale()) }) : tc('consult.book');
}

function choose(button: HTMLButtonElement): void {
  for (const b of slotsBox.querySelectorAll('button[aria-pressed="true"]')) b.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-pressed', 'true');
  chosen = button.dataset.starts ?? null;
  chosenLine.textContent = chosen
    ? tc('consult.chosen', {
        time: new Intl.DateTimeFormat(locale(), { dateStyle: 'full', timeStyle: 'short' }).format(new Date(chosen)),
      })
    : '';
}

async function loadSlots(): Promise<void> {
  const mine = ++slotsGeneration;
  chosen = null;
  chosenLine.textContent = '';
  setState(slotsRegion, 'loading');
  const from = isoDay(weekOffset * DAYS);
  const to = isoDay(weekOffset * DAYS + DAYS - 1);
  try {
    const res = await api.get<FreeSlots>(`/api/specialists/${encodeURIComponent(id)}/slots`, {
      query: { sessionTypeId: typeSelect.value, from, to },
      lang: false,
    });
    if (mine !== slotsGeneration) return;
    const dayFormat = new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long' });
    const timeFormat = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' });
    const byDay = new Map<string, string[]>();
    for (const s of res.slots) {
      const day = dayFormat.format(new Date(s.startsAt));
      byDay.set(day, [...(byDay.get(day) ?? []), s.startsAt]);
    }
    slotsBox.replaceChildren(
      ...[...byDay].flatMap(([day, starts]) => [
        h('h2', { class: 'consult-day' }, day),
        h(
          'ul',
          { class: 'consult-slots' },
          ...starts.map((s) =>
            h(
              'li',
              {},
              h(
                'button',
                { type: 'button', class: 'button button--secondary consult-slot', 'aria-pressed': 'false', 'data-starts': s },
                timeFormat.format(new Date(s)),
              ),
            ),
          ),
        ),
      ]),
    );
    setState(slotsRegion, res.slots.length ? 'ready' : 'empty');
  } catch (error) {
    if (mine === slotsGeneration) setState(slotsRegion, 'error', errorMessage(error));
  }
}

async function book(): Promise<void> {
  if (!chosen) {
    statusLine.textContent = tc('consult.pickSlot');
    return;
  }
  const me = await getMe();
  if (!me) {
    location.assign(loginUrl());
    return;
  }
  bookButton.disabled = true;
  if (rescheduling) {
    try {
      await api.post(`/api/bookings/${encodeURIComponent(rescheduling)}/reschedule`, { startsAt: chosen });
      location.assign(href(`/consultations/bookings?booking=${encodeURIComponent(rescheduling)}`));
    } catch (error) {
      statusLine.textContent = errorMessage(error);
      bookButton.disabled = false;
      void loadSlots();
    }
    return;
  }
  statusLine.textContent = tc('pay.starting');
  try {
    const res = await api.post<BookingResult>('/api/bookings', {
      specialistId: id,
      sessionTypeId: typeSelect.value,
      startsAt: chosen,
      ...(forSelect.value ? { childId: forSelect.value } : {}),
      lang: document.documentElement.lang,
    });
    if (res.payment?.checkoutUrl) location.assign(res.payment.checkoutUrl);
    else location.assign(href(`/consultations/bookings?booking=${encodeURIComponent(res.booking.id)}`));
  } catch (error) {
    statusLine.textContent = errorMessage(error);
    bookButton.disabled = false;
    void loadSlots();
  }
}

async function start(): Promise<void> {
  setState(region, 'loading');
  try {
    specialist = await api.get<Specialist>(`/api/specialists/${encodeURIComponent(id)}`);
  } catch (error) {
    setState(region, 'error', errorMessage(error));
    return;
  }
  const s = specialist;
  document.title = `${s.name} · Sabaq`;
  byId('consult-name').textContent = s.name;
  byId('consult-meta').textContent = [
    s.specialties.map(specialtyText).join(', '),
    s.languages.join(', ').toUpperCase(),
    s.rating.count ? tc('consult.rating', { average: s.rating.average, count: s.rating.count }) : tc('consult.noRating'),
  ].join(' · ');
  byId('consult-bio').textContent = s.bio;
  const fixedType = params.get('type');
  typeSelect.replaceChildren(
    ...s.sessionTypes
      .filter((t) => !fixedType || t.id === fixedType)
      .map((t) => h('option', { value: t.id }, `${tc('consult.minutes', { count: t.durationMinutes })} · ${priceText(t.price, locale())}`)),
  );
  byId('consult-zone').textContent =
    `${tc('consult.zoneNote', { zone: visitorZone() })} ${tc('consult.specialistZone', { zone: s.timeZone })}`;
  updateBookLabel();
  setState(region, 'ready');
  const me = await getMe().catch(() => null);
  if (me?.role === 'parent' && !rescheduling) {
    const kids = await api.get<Page<Child>>('/api/me/children', { query: { limit: 100 }, lang: false });
    forSelect.append(...kids.items.map((c) => h('option', { value: c.id }, c.name)));
    if (kids.items[0]) forSelect.value = kids.items[0].id;
    forField.hidden = false;
  }
  await loadSlots();
}

slotsBox.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-starts]');
  if (button) choose(button);
});
typeSelect.addEventListener('change', () => {
  updateBookLabel();
  void loadSlots();
});
byId('consult-prev').addEventListener('click', () => {
  if (weekOffset === 0) return;
  weekOffset--;
  void loadSlots();
});
byId('consult-next').addEventListener('click', () => {
  if (weekOffset >= 8) return;
  weekOffset++;
  void loadSlots();
});
byId<HTMLFormElement>('consult-book-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void book();
});
void start();
