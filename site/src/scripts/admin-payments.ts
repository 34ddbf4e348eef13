// Admin payments (`/{lang}/admin/payments`): filters by status and dates, totals per
// currency over the filtered set, and a full refund per succeeded payment.
import { api, errorMessage } from '../lib/api';
import { announce, byId, h, setState } from '../lib/dom';
import { formatDate, locale, tc } from '../lib/i18n-client';
import { formatMoney, type Payment } from '../lib/payments';
import { requireUser } from '../lib/session';
import type { ApiResponse } from '../lib/types';

const region = byId('admin-payments');
const rows = byId('admin-payments-rows');
const more = byId<HTMLButtonElement>('admin-payments-more');
const form = byId<HTMLFormElement>('admin-payments-filter');
const totalsLine = byId('admin-payments-totals');

type AdminPage = ApiResponse<'/api/admin/payments'>;
type RefundResult = ApiResponse<'/api/admin/payments/{id}/refund', 'post'>;

let cursor: string | null = null;
/** The latest load: an answer to an older one (a filter changed meanwhile) is dropped, not appended twice. */
let loadSeq = 0;

const row = (p: Payment): HTMLTableRowElement => {
  const refund =
    p.status === 'succeeded'
      ? h('button', { type: 'button', class: 'button button--small button--secondary' }, tc('pay.admin.refund'))
      : null;
  refund?.addEventListener('click', async () => {
    if (!confirm(tc('pay.admin.refundConfirm'))) return;
    refund.setAttribute('aria-disabled', 'true');
    try {
      const res = await api.post<RefundResult>(`/api/admin/payments/${encodeURIComponent(p.id)}/refund`);
      rows.querySelector(`[data-payment="${p.id}"]`)?.replaceWith(row(res.payment));
      announce(region, tc('pay.admin.refunded'));
    } catch (error) {
      announce(region, errorMessage(error));
      refund.removeAttribute('aria-disabled');
    }
  });
  const status = tc(`pay.status.${p.status}` as 'pay.status.pending');
  return h(
    'tr',
    { 'data-payment': p.id },
    h('td', {}, h('time', { datetime: p.createdAt }, formatDate(p.createdAt, true))),
    h('td', {}, p.description),
    h('td', {}, formatMoney(p.amount, p.currency, locale())),
    h('td', { 'data-status': p.status }, status),
    h('td', {}, refund),
  );
};

function filters(): Record<string, string> {
  const data = new FormData(form);
  const q: Record<string, string> = {};
  const status = String(data.get('status') ?? '');
  if (status) q.status = status;
  const from = String(data.get('from') ?? '');
  const to = String(data.get('to') ?? '');
  if (from) q.from = new Date(`${from}T00:00:00`).toISOString();
  // "To" is inclusive on the form: the end of that day.
  if (to) q.to = new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString();
  return q;
}

async function load(reset: boolean): Promise<void> {
  const seq = ++loadSeq;
  if (reset) {
    cursor = null;
    rows.replaceChildren();
    setState(region, 'loading');
  }
  try {
    const page = await api.get<AdminPage>('/api/admin/payments', { query: { ...filters(), limit: 50, cursor }, lang: false });
    if (seq !== loadSeq) return;
    rows.append(...page.items.map(row));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    totalsLine.textContent = tc('pay.admin.totals', {
      totals: page.totals.map((t) => `${formatMoney(t.amount, t.currency, locale())} (${t.count})`).join(', ') || '—',
    });
    setState(region, rows.childElementCount ? 'ready' : 'empty');
  } catch (error) {
    if (seq === loadSeq) setState(region, 'error', errorMessage(error));
  }
}

void (async () => {
  setState(region, 'loading');
  const user = await requireUser(['admin']);
  if (!user) return setState(region, 'forbidden');
  await load(true);
})();
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void load(true);
});
more.addEventListener('click', () => void load(false));
