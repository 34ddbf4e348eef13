// Payments on the site: starting a hosted checkout and reading how it ended when the
// provider sends the buyer back (…?session_id=…&checkout=success|declined|canceled).
import { api, isApiError } from './api';
import { locale, pageLang, tc } from './i18n-client';
import type { Page, Price, Schemas } from './types';

export type Payment = Schemas['Payment'];
export type PaymentStatus = Payment['status'];

/**
 * One idempotency key per purchase attempt, kept for the tab's life: a double click or a
 * retried request gets the same checkout back instead of a second one.
 */
function attemptKey(purchaseId: string): string {
  const name = `sabaq:checkout:${purchaseId}`;
  let key = sessionStorage.getItem(name);
  if (!key) {
    key = `web-${crypto.randomUUID()}`;
    sessionStorage.setItem(name, key);
  }
  return key;
}

/** Creates (or resumes) the checkout at the price the buyer saw, then leaves for the hosted page. */
export async function startCheckout(purchase: { kind: 'course'; id: string }, expected: Price): Promise<void> {
  const create = () =>
    api.post<Payment>(
      '/api/checkout',
      { purchase, lang: pageLang(), expected: { amount: expected.amount, currency: expected.currency } },
      { headers: { 'Idempotency-Key': attemptKey(purchase.id) } },
    );
  const freshKey = () => sessionStorage.removeItem(`sabaq:checkout:${purchase.id}`);
  let payment: Payment | undefined;
  let replaced = false;
  for (let attempt = 0; !payment; attempt++) {
    try {
      payment = await create();
    } catch (error) {
      if (!isApiError(error) || attempt >= 2) throw error;
      // This tab's key belongs to an earlier attempt at another price: this is a new attempt.
      if (error.code === 'idempotency_key_reused') {
        freshKey();
        continue;
      }
      // An earlier checkout at another price is still open (its quote holds until it expires):
      // with the buyer's consent, cancel it and start again at the price shown now.
      const open =
        error.code === 'amount_mismatch'
          ? (error.details as { reason?: string; paymentId?: string; price?: Price } | undefined)
          : undefined;
      if (replaced || open?.reason !== 'open_checkout' || !open.paymentId || !open.price) throw error;
      const earlier = formatMoney(open.price.amount, open.price.currency, locale());
      if (!confirm(tc('pay.replaceOpenCheckout', { earlier, now: formatMoney(expected.amount, expected.currency, locale()) }))) {
        throw error;
      }
      await api.post(`/api/payments/${encodeURIComponent(open.paymentId)}/cancel`);
      replaced = true;
      // The old key stored the refusal: the new attempt needs its own.
      freshKey();
    }
  }
  if (!payment.checkoutUrl) throw new Error('no checkout page');
  location.assign(payment.checkoutUrl);
}

export interface CheckoutReturn {
  result: 'success' | 'declined' | 'canceled';
  sessionId: string;
  /** The payment this checkout made, as the API knows it now. */
  payment(): Promise<Payment | null>;
}

/** Reads and removes the return parameters; the next purchase attempt gets a fresh key. */
export function returnedFromCheckout(): CheckoutReturn | null {
  const url = new URL(location.href);
  const sessionId = url.searchParams.get('session_id');
  const result = url.searchParams.get('checkout');
  if (!sessionId || (result !== 'success' && result !== 'declined' && result !== 'canceled')) return null;
  url.searchParams.delete('session_id');
  url.searchParams.delete('checkout');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
  for (const k of Object.keys(sessionStorage)) if (k.startsWith('sabaq:checkout:')) sessionStorage.removeItem(k);
  return {
    result,
    sessionId,
    payment: async () => (await api.get<Page<Payment>>('/api/payments', { query: { sessionId, limit: 1 }, lang: false })).items[0] ?? null,
  };
}

export function formatMoney(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency}`;
  }
}
