// Administration (`/{lang}/admin`), specialists: profiles of verified teachers waiting to be
// listed in the consultations directory, or listed ones (taken out again with one button).
import { api, errorMessage } from '../lib/api';
import { type AdminSpecialist, priceText, specialtyText } from '../lib/consult';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { getMe } from '../lib/session';
import type { Page } from '../lib/types';

type Status = 'pending' | 'listed';

const region = byId('specialists');
const list = byId<HTMLUListElement>('specialist-list');
const more = byId<HTMLButtonElement>('specialists-more');
const statusSelect = byId<HTMLSelectElement>('specialists-status');
const announce = byId('specialists-announce');
let status: Status = 'pending';
let cursor: string | null = null;
let loadToken = 0;

function say(message: string): void {
  announce.textContent = '';
  window.setTimeout(() => {
    announce.textContent = message;
  }, 50);
}

function item(s: AdminSpecialist): HTMLLIElement {
  const listing = !s.verified;
  const button = h(
    'button',
    {
      type: 'button',
      class: listing ? 'button button--small' : 'button button--danger button--small',
      'data-action': listing ? 'list' : 'unlist',
    },
    tc(listing ? 'consult.admin.list' : 'consult.admin.unlist'),
    h('span', { class: 'visually-hidden' }, `: ${s.name}`),
  );
  const li = h(
    'li',
    { 'data-specialist-id': s.id },
    h(
      'div',
      { class: 'item-list__main' },
      h('p', {}, h('strong', {}, s.name)),
      h('p', { class: 'muted' }, s.email),
      h(
        'p',
        { class: 'muted' },
        s.specialties.map(specialtyText).join(', '),
        ' · ',
        s.languages.join(', ').toUpperCase(),
        ' · ',
        s.timeZone,
      ),
      h(
        'p',
        { class: 'muted' },
        s.sessionTypes.map((t) => `${tc('consult.minutes', { count: t.durationMinutes })} · ${priceText(t.price, locale())}`).join('; '),
      ),
      s.bio ? h('p', { class: 'admin-note' }, s.bio.length > 300 ? `${s.bio.slice(0, 300)}…` : s.bio) : null,
    ),
    h('div', { class: 'actions' }, button),
  );
  button.addEventListener('click', () => void decide(s, li, button));
  return li;
}

async function load(append: boolean): Promise<void> {
  const token = ++loadToken;
  if (!append) setState(region, 'loading');
  try {
    const res = await api.get<Page<AdminSpecialist>>('/api/admin/specialists', {
      query: { status, cursor: append ? cursor : null, limit: 20 },
      lang: false,
    });
    if (token !== loadToken) return;
    if (!append) list.replaceChildren();
    list.append(...res.items.map(item));
    cursor = res.nextCursor;
    more.hidden = !cursor;
    setState(region, list.childElementCount ? 'ready' : 'empty');
  } catch (error) {
    if (token === loadToken) setState(region, 'error', errorMessage(error));
  }
}

/** Listed or taken out: the row leaves this view; focus moves to the next row, else the heading. */
async function decide(s: AdminSpecialist, li: HTMLLIElement, button: HTMLButtonElement): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  try {
    await api.post(`/api/admin/specialists/${encodeURIComponent(s.id)}/verify`, { verified: !s.verified });
    const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector<HTMLElement>('button');
    li.remove();
    (next ?? byId('specialists-title')).focus();
    if (!list.childElementCount) setState(region, 'empty');
    say(tc(s.verified ? 'consult.admin.unlistedNow' : 'consult.admin.listedNow', { name: s.name }));
  } catch (error) {
    button.setAttribute('aria-disabled', 'false');
    say(errorMessage(error));
  }
}

statusSelect.addEventListener('change', () => {
  status = statusSelect.value === 'listed' ? 'listed' : 'pending';
  void load(false);
});
more.addEventListener('click', () => void load(true));
void (async () => {
  // admin.ts decides the page's state (and redirects visitors); this section only loads for admins.
  const me = await getMe().catch(() => null);
  if (me?.role === 'admin') await load(false);
})();
