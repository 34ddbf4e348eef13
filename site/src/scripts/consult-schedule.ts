// The specialist's page (`/{lang}/consultations/schedule`): upcoming sessions (which the
// specialist may cancel: the client is always refunded in full, by the API's rules), past ones
// to mark held or no-show (with a note for the client), the profile with every session type
// (up to six: length, price, currency), the weekly hours and the exceptions (days off, extra
// hours) editors. Hours and exceptions are saved together (one PUT): each editor sends the
// other's saved state.
import { api, errorMessage, isApiError } from '../lib/api';
import {
  type Availability,
  type AvailabilityException,
  type AvailabilityRule as Rule,
  type Booking,
  type OwnSpecialist,
  priceText,
  toMinute,
  toTime,
  visitorZone,
  whenText,
} from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';
import type { ApiRequest, Page } from '../lib/types';

const page = byId('consult-schedule-page');
const profileForm = byId<HTMLFormElement>('consult-profile-form');
const hoursForm = byId<HTMLFormElement>('consult-hours-form');
const rulesBox = byId('consult-rules');
const exForm = byId<HTMLFormElement>('consult-exceptions-form');
const exList = byId('consult-ex-list');
const exKind = byId<HTMLSelectElement>('consult-ex-kind');
const exWhole = byId<HTMLInputElement>('consult-ex-whole');
const exStart = byId<HTMLInputElement>('consult-ex-start');
const exEnd = byId<HTMLInputElement>('consult-ex-end');
const exStatus = byId('consult-ex-status');
const pastList = byId('consult-past-list');
const pastStatus = byId('consult-past-status');
const typesList = byId('consult-types-list');
const typesStatus = byId('consult-types-status');
const scheduleList = byId('consult-schedule');
const scheduleStatus = byId('consult-schedule-status');
let rowSeq = 0;
/** What the server last confirmed: each editor saves its part with the other's saved part. */
let saved: Availability = { rules: [], exceptions: [] };
let profileZone = 'Asia/Almaty';

function ruleRow(r: Rule): HTMLDivElement {
  const n = rowSeq++;
  const day = h(
    'select',
    { name: 'weekday', id: `consult-day-${n}` },
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => h('option', { value: d, selected: d === r.weekday }, tc(`consult.day.${d}` as 'consult.day.1'))),
  );
  return h(
    'div',
    { class: 'consult-rule' },
    h('label', { for: `consult-day-${n}` }, tc('consult.weekday'), day),
    h('label', {}, tc('consult.start'), h('input', { type: 'time', name: 'start', value: toTime(r.startMinute), step: 300 })),
    h('label', {}, tc('consult.end'), h('input', { type: 'time', name: 'end', value: toTime(Math.min(r.endMinute, 1439)), step: 300 })),
    h('button', { type: 'button', class: 'button button--secondary', 'data-remove': '' }, tc('consult.removeRule')),
  );
}

function readRules(): Rule[] {
  return [...rulesBox.querySelectorAll<HTMLElement>('.consult-rule')].map((row) => ({
    weekday: Number(row.querySelector<HTMLSelectElement>('select')!.value),
    startMinute: toMinute(row.querySelector<HTMLInputElement>('input[name="start"]')!.value),
    endMinute: toMinute(row.querySelector<HTMLInputElement>('input[name="end"]')!.value),
  }));
}

function fillProfile(s: OwnSpecialist): void {
  profileZone = s.timeZone;
  for (const l of ['ru', 'kk', 'en'] as const) byId<HTMLTextAreaElement>(`consult-bio-${l}`).value = s.bios[l] ?? '';
  byId('consult-listed').textContent = s.verified ? tc('consult.profile.listed') : tc('consult.profile.unlisted');
  byId<HTMLInputElement>('consult-photo').value = s.photoUrl ?? '';
  byId<HTMLInputElement>('consult-tz').value = s.timeZone;
  byId<HTMLInputElement>('consult-buffer').value = String(s.bufferMinutes);
  showTypes(s.sessionTypes.length ? s.sessionTypes : [NEW_TYPE]);
  for (const box of profileForm.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
    box.checked = (box.name === 'languages' ? s.languages : s.specialties).includes(box.value);
  }
}

// ---------------------------------------------------------------- session types

type TypeInput = ApiRequest<'/api/specialist/profile', 'put'>['sessionTypes'][number];
type Currency = TypeInput['price']['currency'];
const CURRENCIES: Currency[] = ['KZT', 'RUB', 'USD'];
const MAX_TYPES = 6;
const NEW_TYPE = { durationMinutes: 60, price: { amount: 500_000, currency: 'KZT' } } as const;

/** One session type's fields: a group named "Session type N" (renumbered as rows come and go). */
function typeRow(t: { durationMinutes: number; price: { amount: number; currency: string } }): HTMLLIElement {
  const n = rowSeq++;
  const id = (part: string) => `consult-type-${part}-${n}`;
  return h(
    'li',
    { 'data-type-row': '' },
    h(
      'fieldset',
      { class: 'consult-type' },
      h('legend', { 'data-type-title': '' }),
      h(
        'div',
        { class: 'consult-rule' },
        h(
          'label',
          { for: id('duration') },
          tc('consult.profile.duration'),
          h('input', { id: id('duration'), name: 'durationMinutes', type: 'number', min: 15, max: 240, step: 5, value: t.durationMinutes }),
        ),
        h(
          'label',
          { for: id('price') },
          tc('consult.profile.price'),
          // Major units in the form (tenge, roubles, dollars), minor units in the API.
          h('input', {
            id: id('price'),
            name: 'price',
            type: 'number',
            min: 0,
            max: 1_000_000,
            step: 'any',
            inputmode: 'decimal',
            value: t.price.amount / 100,
          }),
        ),
        h(
          'label',
          { for: id('currency') },
          tc('consult.profile.currency'),
          h(
            'select',
            { id: id('currency'), name: 'currency' },
            ...CURRENCIES.map((c) => h('option', { value: c, selected: c === t.price.currency }, c)),
          ),
        ),
        h(
          'button',
          { type: 'button', class: 'button button--secondary', 'data-remove-type': '' },
          tc('consult.types.remove'),
          h('span', { class: 'visually-hidden', 'data-type-name': '' }),
        ),
      ),
    ),
  );
}

function typeRows(): HTMLLIElement[] {
  return [...typesList.querySelectorAll<HTMLLIElement>(':scope > li[data-type-row]')];
}

/** Numbers the groups 1..n (their legends and the remove buttons' names follow). */
function renumberTypes(): void {
  typeRows().forEach((row, i) => {
    const name = tc('consult.types.item', { n: i + 1 });
    row.querySelector('[data-type-title]')!.textContent = name;
    row.querySelector('[data-type-name]')!.textContent = `: ${name}`;
  });
}

function showTypes(types: readonly { durationMinutes: number; price: { amount: number; currency: string } }[]): void {
  typesList.replaceChildren(...types.map(typeRow));
  renumberTypes();
}

/** The rows as the API takes them, or the first problem (with the field to point at). */
function readTypes(): { types: TypeInput[] } | { problem: string; field: HTMLElement } {
  const types: TypeInput[] = [];
  const rows = typeRows();
  for (const [i, row] of rows.entries()) {
    const duration = row.querySelector<HTMLInputElement>('input[name="durationMinutes"]')!;
    const price = row.querySelector<HTMLInputElement>('input[name="price"]')!;
    const currency = row.querySelector<HTMLSelectElement>('select[name="currency"]')!.value as Currency;
    const minutes = Number(duration.value);
    const amount = Math.round(Number(price.value) * 100);
    const invalid = tc('consult.types.invalid', { n: i + 1 });
    if (!duration.value || !Number.isInteger(minutes) || minutes < 15 || minutes > 240) return { problem: invalid, field: duration };
    if (!price.value || !Number.isFinite(amount) || amount < 0 || amount > 100_000_000) return { problem: invalid, field: price };
    // The API keeps a type by its length, price and currency: two equal rows would be one type.
    const same = types.findIndex((t) => t.durationMinutes === minutes && t.price.amount === amount && t.price.currency === currency);
    if (same >= 0) return { problem: tc('consult.types.duplicate', { a: same + 1, b: i + 1 }), field: duration };
    types.push({ durationMinutes: minutes, price: { amount, currency } });
  }
  if (!types.length) return { problem: tc('consult.types.min'), field: byId('consult-add-type') };
  return { types };
}

byId('consult-add-type').addEventListener('click', () => {
  if (typeRows().length >= MAX_TYPES) {
    typesStatus.textContent = tc('consult.types.max');
    return;
  }
  typesStatus.textContent = '';
  const row = typeRow(NEW_TYPE);
  typesList.append(row);
  renumberTypes();
  row.querySelector<HTMLInputElement>('input')!.focus();
});
typesList.addEventListener('click', (event) => {
  const row = (event.target as HTMLElement).closest('button[data-remove-type]')?.closest<HTMLLIElement>('li[data-type-row]');
  if (!row) return;
  const rows = typeRows();
  if (rows.length <= 1) {
    typesStatus.textContent = tc('consult.types.min');
    return;
  }
  // Focus stays in the list: on the row that takes this one's place, else the one before.
  const next = rows[rows.indexOf(row) + 1] ?? rows[rows.indexOf(row) - 1];
  row.remove();
  renumberTypes();
  typesStatus.textContent = tc('consult.types.removed');
  next?.querySelector<HTMLInputElement>('input')?.focus();
});

// ---------------------------------------------------------------- upcoming sessions

/** Upcoming and not yet started: the specialist may cancel (the client is refunded in full). */
const cancellable = (b: Booking) => (b.status === 'confirmed' || b.status === 'hold') && Date.parse(b.startsAt) > Date.now();

function upcomingItem(b: Booking): HTMLLIElement {
  const refund = b.refund === 'none' ? '' : ` · ${tc(`consult.refund.${b.refund}` as 'consult.refund.done')}`;
  return h(
    'li',
    { class: 'consult-card', 'data-booking': b.id, 'data-status': b.status, 'data-refund': b.refund, tabindex: -1 },
    h('strong', {}, h('time', { datetime: b.startsAt }, whenText(b.startsAt, locale()))),
    h(
      'span',
      { 'data-status-text': '' },
      `${b.child ? b.child.name : b.client.name} · ${tc('consult.minutes', { count: b.durationMinutes })} · ${priceText(b.price, locale())} · ${tc(`consult.status.${b.status}` as 'consult.status.hold')}${refund}`,
    ),
    cancellable(b)
      ? h(
          'p',
          { class: 'consult-week', 'data-actions': '' },
          h(
            'button',
            { type: 'button', class: 'button button--secondary', 'data-cancel': '', 'aria-expanded': 'false' },
            tc('consult.specCancel'),
            h('span', { class: 'visually-hidden' }, `: ${whenText(b.startsAt, locale())}`),
          ),
        )
      : null,
  );
}

/** The question under the button, answered with two buttons; "Keep it" has the focus (the safe answer). */
function askCancel(item: HTMLLIElement, opener: HTMLButtonElement): void {
  if (item.querySelector('[data-confirm]')) return;
  const askId = `consult-cancel-ask-${item.dataset.booking}`;
  const keep = h('button', { type: 'button', class: 'button', 'data-cancel-no': '' }, tc('consult.specCancelNo'));
  const ask = h(
    'div',
    { class: 'consult-confirm', 'data-confirm': '', role: 'group', 'aria-labelledby': askId },
    h('p', { id: askId }, tc('consult.specCancelAsk')),
    h(
      'p',
      { class: 'consult-week' },
      h('button', { type: 'button', class: 'button button--danger', 'data-cancel-yes': '' }, tc('consult.specCancelYes')),
      keep,
    ),
  );
  opener.setAttribute('aria-expanded', 'true');
  opener.setAttribute('aria-controls', askId);
  item.append(ask);
  keep.focus();
}

async function cancelSession(item: HTMLLIElement, yes: HTMLButtonElement): Promise<void> {
  yes.disabled = true;
  scheduleStatus.textContent = '';
  try {
    const b = await api.post<Booking>(`/api/bookings/${encodeURIComponent(item.dataset.booking ?? '')}/cancel`);
    const fresh = upcomingItem(b);
    item.replaceWith(fresh);
    scheduleStatus.textContent = b.refund === 'none' ? tc('consult.specCancelled') : tc('consult.specCancelledRefund');
    fresh.focus();
  } catch (error) {
    yes.disabled = false;
    scheduleStatus.textContent = errorMessage(error);
  }
}

function closeAsk(item: HTMLLIElement): void {
  item.querySelector('[data-confirm]')?.remove();
  const opener = item.querySelector<HTMLButtonElement>('button[data-cancel]');
  opener?.setAttribute('aria-expanded', 'false');
  opener?.removeAttribute('aria-controls');
  opener?.focus();
}

scheduleList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button');
  const item = button?.closest<HTMLLIElement>('li[data-booking]');
  if (!button || !item) return;
  if (button.matches('[data-cancel]')) askCancel(item, button);
  else if (button.matches('[data-cancel-no]')) closeAsk(item);
  else if (button.matches('[data-cancel-yes]')) void cancelSession(item, button);
});
scheduleList.addEventListener('keydown', (event) => {
  const item = (event.target as HTMLElement).closest<HTMLLIElement>('li[data-booking]');
  if (event.key === 'Escape' && item?.querySelector('[data-confirm]')) closeAsk(item);
});

async function loadSchedule(): Promise<void> {
  const res = await api.get<Page<Booking>>('/api/specialist/schedule', { query: { limit: 50 }, lang: false });
  scheduleList.replaceChildren(...res.items.map(upcomingItem));
  byId('consult-schedule-empty').hidden = res.items.length > 0;
}

function showAvailability(av: Availability): void {
  saved = av;
  rulesBox.replaceChildren(...av.rules.map(ruleRow));
  exList.replaceChildren(...av.exceptions.map(exceptionItem));
  byId('consult-ex-none').hidden = av.exceptions.length > 0;
}

// ---------------------------------------------------------------- exceptions

function exceptionText(e: AvailabilityException): string {
  const date = new Intl.DateTimeFormat(locale(), { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${e.date}T00:00:00Z`));
  if (e.startMinute === null || e.endMinute === null) return tc('consult.exOffDay', { date });
  const times = { date, start: toTime(e.startMinute), end: toTime(Math.min(e.endMinute, 1439)) };
  return tc(e.kind === 'off' ? 'consult.exOffHours' : 'consult.exExtra', times);
}

function exceptionItem(e: AvailabilityException, index: number): HTMLLIElement {
  const text = exceptionText(e);
  return h(
    'li',
    { class: 'consult-card', 'data-exception': e.date, 'data-kind': e.kind },
    h('span', {}, text),
    h(
      'button',
      { type: 'button', class: 'button button--secondary', 'data-remove-exception': index },
      tc('consult.exRemove'),
      h('span', { class: 'visually-hidden' }, `: ${text}`),
    ),
  );
}

/** Today in the profile's zone (YYYY-MM-DD): exceptions are local dates there. */
const todayThere = () => new Intl.DateTimeFormat('en-CA', { timeZone: profileZone }).format(new Date());

function syncExceptionFields(): void {
  // Extra hours always need their times; only time off may take the whole day.
  if (exKind.value === 'extra') exWhole.checked = false;
  exWhole.disabled = exKind.value === 'extra';
  exStart.disabled = exWhole.checked;
  exEnd.disabled = exWhole.checked;
}

async function saveExceptions(exceptions: AvailabilityException[], done: string): Promise<boolean> {
  exStatus.textContent = '';
  try {
    showAvailability(await api.put<Availability>('/api/specialist/availability', { rules: saved.rules, exceptions }));
    exStatus.textContent = done;
    return true;
  } catch (error) {
    const fields = isApiError(error) ? Object.values(error.fields) : [];
    exStatus.textContent = [errorMessage(error), ...fields].join(' ');
    return false;
  }
}

exKind.addEventListener('change', syncExceptionFields);
exWhole.addEventListener('change', syncExceptionFields);
exForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const date = byId<HTMLInputElement>('consult-ex-date');
  const problem = (field: HTMLElement, message: string) => {
    exStatus.textContent = message;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  };
  for (const f of [date, exStart, exEnd]) f.removeAttribute('aria-invalid');
  if (!date.value) return problem(date, tc('consult.exNeedDate'));
  if (date.value < todayThere()) return problem(date, tc('consult.exPast'));
  const whole = exWhole.checked && exKind.value === 'off';
  const start = whole ? null : toMinute(exStart.value);
  const end = whole ? null : exEnd.value === '00:00' ? 1440 : toMinute(exEnd.value);
  if (!whole && (!exStart.value || !exEnd.value || start! >= end!)) return problem(exStart, tc('consult.exNeedHours'));
  const added: AvailabilityException = {
    date: date.value,
    kind: exKind.value === 'extra' ? 'extra' : 'off',
    startMinute: start,
    endMinute: end,
  };
  void saveExceptions([...saved.exceptions, added], tc('consult.exSaved')).then((ok) => {
    if (ok) date.value = '';
  });
});
exList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-remove-exception]');
  if (!button) return;
  const index = Number(button.dataset.removeException);
  button.disabled = true;
  void saveExceptions(
    saved.exceptions.filter((_, i) => i !== index),
    tc('consult.exSaved'),
  ).then(() => byId('consult-exceptions-title').focus());
});

// ---------------------------------------------------------------- past sessions

function pastItem(b: Booking): HTMLLIElement {
  const who = b.child ? b.child.name : b.client.name;
  const markable = b.status === 'confirmed' || b.status === 'completed' || b.status === 'no_show';
  const noteId = `consult-note-${b.id}`;
  return h(
    'li',
    { class: 'consult-card', 'data-booking': b.id, 'data-status': b.status },
    h('strong', {}, whenText(b.startsAt, locale())),
    h('span', { 'data-status-text': '' }, `${who} · ${tc(`consult.status.${b.status}` as 'consult.status.hold')}`),
    b.review ? h('p', {}, tc('consult.review.client', { rating: b.review.rating }), b.review.text ? ` — ${b.review.text}` : '') : null,
    markable
      ? h(
          'div',
          { class: 'consult-outcome' },
          h(
            'div',
            { class: 'field' },
            h('label', { for: noteId }, tc('consult.outcome.note')),
            h('textarea', { id: noteId, rows: 2, maxlength: 2000, 'data-note': '' }, b.note ?? ''),
          ),
          h(
            'p',
            { class: 'consult-week' },
            h('button', { type: 'button', class: 'button', 'data-outcome': 'completed' }, tc('consult.outcome.held')),
            // A reviewed session was held: the API refuses to call it a no-show.
            b.review
              ? null
              : h('button', { type: 'button', class: 'button button--secondary', 'data-outcome': 'no_show' }, tc('consult.outcome.noShow')),
          ),
        )
      : null,
  );
}

async function loadPast(): Promise<void> {
  const res = await api.get<Page<Booking>>('/api/specialist/schedule', { query: { when: 'past', limit: 50 }, lang: false });
  const items = res.items.filter((b) => b.status !== 'cancelled');
  pastList.replaceChildren(...items.map(pastItem));
  byId('consult-past-empty').hidden = items.length > 0;
}

pastList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-outcome]');
  const item = button?.closest<HTMLLIElement>('li[data-booking]');
  if (!button || !item) return;
  const note = item.querySelector<HTMLTextAreaElement>('textarea[data-note]')?.value.trim() ?? '';
  button.disabled = true;
  void api
    .post<Booking>(`/api/bookings/${encodeURIComponent(item.dataset.booking ?? '')}/outcome`, {
      outcome: button.dataset.outcome,
      ...(note ? { note } : {}),
    })
    .then((b) => {
      item.replaceWith(pastItem(b));
      pastStatus.textContent = tc('consult.outcome.saved', { status: tc(`consult.status.${b.status}` as 'consult.status.hold') });
    })
    .catch((error: unknown) => {
      button.disabled = false;
      pastStatus.textContent = errorMessage(error);
    });
});

profileForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(profileForm);
  const bio: Record<string, string> = {};
  for (const l of ['ru', 'kk', 'en']) {
    const v = String(data.get(`bio.${l}`) ?? '').trim();
    if (v) bio[l] = v;
  }
  const photo = String(data.get('photoUrl') ?? '').trim();
  const status = byId('consult-profile-status');
  for (const f of typesList.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
  const read = readTypes();
  if ('problem' in read) {
    status.textContent = read.problem;
    if (read.field instanceof HTMLInputElement) read.field.setAttribute('aria-invalid', 'true');
    read.field.focus();
    return;
  }
  void api
    .put<OwnSpecialist>('/api/specialist/profile', {
      bio,
      photoUrl: photo || null,
      languages: data.getAll('languages').map(String),
      specialties: data.getAll('specialties').map(String),
      timeZone: String(data.get('timeZone') ?? '').trim(),
      bufferMinutes: Number(data.get('bufferMinutes')),
      sessionTypes: read.types,
    })
    .then((s) => {
      fillProfile(s);
      typesStatus.textContent = '';
      status.textContent = tc('consult.profile.saved');
    })
    .catch((error: unknown) => {
      const fields = isApiError(error) ? Object.entries(error.fields).map(([k, v]) => `${k}: ${v}`) : [];
      status.textContent = [errorMessage(error), ...fields].join(' ');
    });
});

hoursForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const status = byId('consult-hours-status');
  void api
    .put<Availability>('/api/specialist/availability', { rules: readRules(), exceptions: saved.exceptions })
    .then((r) => {
      showAvailability(r);
      status.textContent = tc('consult.hoursSaved');
    })
    .catch((error: unknown) => {
      const fields = isApiError(error) ? Object.values(error.fields) : [];
      status.textContent = [errorMessage(error), ...fields].join(' ');
    });
});
rulesBox.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button[data-remove]');
  button?.closest('.consult-rule')?.remove();
});
byId('consult-add-rule').addEventListener('click', () => rulesBox.append(ruleRow({ weekday: 1, startMinute: 540, endMinute: 1080 })));

void (async () => {
  setState(page, 'loading');
  const me = await requireUser(['teacher']);
  if (!me) {
    setState(page, 'forbidden');
    return;
  }
  byId('consult-zone').textContent = tc('consult.zoneNote', { zone: visitorZone() });
  try {
    const profile = await api.get<OwnSpecialist>('/api/specialist/profile', { lang: false }).catch((error: unknown) => {
      if (isApiError(error) && error.status === 404) return null;
      throw error;
    });
    if (profile) {
      fillProfile(profile);
      showAvailability(await api.get<Availability>('/api/specialist/availability', { lang: false }));
      await Promise.all([loadSchedule(), loadPast()]);
    } else {
      byId('consult-schedule-empty').hidden = false;
    }
    setState(page, 'ready');
  } catch (error) {
    setState(page, 'error', errorMessage(error));
  }
})();
