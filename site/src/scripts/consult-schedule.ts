// The specialist's page (`/{lang}/consultations/schedule`): upcoming sessions, past ones to
// mark held or no-show (with a note for the client), the profile (one session type here; the
// API takes up to six), the weekly hours and the exceptions (days off, extra hours) editors.
// Hours and exceptions are saved together (one PUT): each editor sends the other's saved state.
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
import type { Page } from '../lib/types';

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
  const first = s.sessionTypes[0];
  if (first) {
    byId<HTMLInputElement>('consult-duration').value = String(first.durationMinutes);
    byId<HTMLInputElement>('consult-price').value = String(first.price.amount / 100);
  }
  for (const box of profileForm.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
    box.checked = (box.name === 'languages' ? s.languages : s.specialties).includes(box.value);
  }
}

async function loadSchedule(): Promise<void> {
  const list = byId('consult-schedule');
  const res = await api.get<Page<Booking>>('/api/specialist/schedule', { query: { limit: 50 }, lang: false });
  list.replaceChildren(
    ...res.items.map((b) =>
      h(
        'li',
        { class: 'consult-card', 'data-booking': b.id },
        h('strong', {}, whenText(b.startsAt, locale())),
        h(
          'span',
          {},
          `${b.child ? b.child.name : b.client.name} · ${tc('consult.minutes', { count: b.durationMinutes })} · ${priceText(b.price, locale())} · ${tc(`consult.status.${b.status}` as 'consult.status.hold')}`,
        ),
      ),
    ),
  );
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
  void api
    .put<OwnSpecialist>('/api/specialist/profile', {
      bio,
      photoUrl: photo || null,
      languages: data.getAll('languages').map(String),
      specialties: data.getAll('specialties').map(String),
      timeZone: String(data.get('timeZone') ?? '').trim(),
      bufferMinutes: Number(data.get('bufferMinutes')),
      sessionTypes: [
        {
          durationMinutes: Number(data.get('durationMinutes')),
          price: { amount: Math.round(Number(data.get('price')) * 100), currency: 'KZT' },
        },
      ],
    })
    .then((s) => {
      fillProfile(s);
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
