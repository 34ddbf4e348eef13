// The specialist's page (`/{lang}/consultations/schedule`): upcoming sessions, the profile
// (one session type here; the API takes up to six) and the weekly hours editor.
import { api, errorMessage, isApiError } from '../lib/api';
import { type Booking, type Specialist, priceText, visitorZone, whenText } from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';
import type { Page } from '../lib/types';

interface Rule {
  weekday: number;
  startMinute: number;
  endMinute: number;
}

const page = byId('consult-schedule-page');
const profileForm = byId<HTMLFormElement>('consult-profile-form');
const hoursForm = byId<HTMLFormElement>('consult-hours-form');
const rulesBox = byId('consult-rules');
const toTime = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const toMinute = (t: string) => {
  const [hh, mm] = t.split(':').map(Number);
  return (hh ?? 0) * 60 + (mm ?? 0);
};
let rowSeq = 0;

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

function fillProfile(s: Specialist): void {
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
    .put<Specialist>('/api/specialist/profile', {
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
    .put<{ rules: Rule[] }>('/api/specialist/availability', { rules: readRules(), exceptions: [] })
    .then((r) => {
      rulesBox.replaceChildren(...r.rules.map(ruleRow));
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
    const profile = await api.get<Specialist>('/api/specialist/profile', { lang: false }).catch((error: unknown) => {
      if (isApiError(error) && error.status === 404) return null;
      throw error;
    });
    if (profile) {
      fillProfile(profile);
      const av = await api.get<{ rules: Rule[] }>('/api/specialist/availability', { lang: false });
      rulesBox.replaceChildren(...av.rules.map(ruleRow));
      await loadSchedule();
    } else {
      byId('consult-schedule-empty').hidden = false;
    }
    setState(page, 'ready');
  } catch (error) {
    setState(page, 'error', errorMessage(error));
  }
})();
