// My payments (`/{lang}/payments`): newest first, page by page; an open one links back to its checkout.
import { api, errorMessage } from '../lib/api';
import { byId, h, setState } from '../lib/dom';
import { formatDate, href, locale, tc } from '../lib/i18n-client';
import { formatMoney, type Payment } from '../lib/payments';
import { requireUser } from '../lib/session';
import type { Page } from '../lib/types';

const region = byId('payments');
const rows = byId('payments-rows');
const more = byId<HTMLButtonElement>('payments-more');
let cursor: string | null = null;

function paymentRow(p: Payment, extra?: Node): HTMLTableRowElement {
  const item =
    p.purchase.kind === 'course' ? h('a', { href: href(`/courses/${encodeURIComponent(p.purchase.id)}`) }, p.description) : p.description;
  const status = tc(`pay.status.${p.status}` as 'pay.status.pending');
  return h(
    'tr',
    { 'data-payment': p.id },
    h('td', {}, h('time', { datetime: p.createdAt }, formatDate(p.createdAt, true))),
    h('td', {}, item),
    h('td', {}, formatMoney(p.amount, p.currency, locale())),
    h('td', { 'data-status': p.status }, status, ' ', p.checkoutUrl ? h('a', { href: p.checkoutUrl }, tc('pay.continue')) : null),
    ...(extra ? [h('td', {}, extra)] : []),
  );
}

async function load(): Promise<void> {
  try {
    const page = await api.get<Page<Payment>>('/api/payments', { query: { limit: 20, cursor }, lang: false });
    rows.append(...page.items.map((p) => paymentRow(p)));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    setState(region, rows.childElementCount ? 'ready' : 'empty');
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

{
  void (async () => {
    setState(region, 'loading');
    if (!(await requireUser())) return;
    await load();
  })();
  more.addEventListener('click', () => void load());
}
